import type { NodeAddress } from '../model/address';
import type { ResolvedConnectionOptions } from '../net/connection-options';
import { NodePool } from '../net/node-pool';
import { LockStoreError } from './errors';
import { KeyLeaseStore } from './key-lease-store';
import type { LeaseAcquireResult, LeaseRecord, LeaseRenewResult, LeaseRequest, LeaseStore } from './lease-store';
import { NodeClaimStore } from './node-claim-store';
import { SlotRouter } from './slot-router';

export interface InClusterLeaseStoreOptions {
  connection: ResolvedConnectionOptions;
  /** Every node to try when the lease slot's owner is unknown (seeds and known members). */
  candidates: () => readonly NodeAddress[];
  /** The reachable masters, freshly discovered (for node claims). */
  masters: () => Promise<readonly NodeAddress[]>;
  key: string;
  replicaAckTimeoutMs: number;
}

/**
 * The default lease store: the lease key on the master serving its slot (KeyLeaseStore). When
 * that slot has no serving master (uncovered, or its master failed with no replica to promote),
 * the lease falls back to claims on a majority of the reachable masters (NodeClaimStore), so
 * that fix() can still run under a lease to repair exactly that. A key holder also looks for live
 * claims after setting the key (and a claim holder for a live key after claiming), so the two
 * forms exclude each other.
 */
export class InClusterLeaseStore implements LeaseStore {
  private readonly pool: NodePool;
  private readonly keyStore: KeyLeaseStore;
  private readonly claims: NodeClaimStore;
  /** token -> which form the lease took. */
  private readonly form = new Map<string, 'key' | 'claims'>();

  constructor(options: InClusterLeaseStoreOptions) {
    this.pool = new NodePool(options.connection);
    this.keyStore = new KeyLeaseStore(new SlotRouter(this.pool, options.candidates), { key: options.key, replicaAckTimeoutMs: options.replicaAckTimeoutMs });
    this.claims = new NodeClaimStore(options.connection, options.masters, 'majority');
  }

  async acquire(request: LeaseRequest): Promise<LeaseAcquireResult> {
    let result: LeaseAcquireResult;
    try {
      result = await this.keyStore.acquire(request);
    } catch (error) {
      if (!isUnserved(error)) throw error;
      return this.acquireClaims(request);
    }
    if (!result.acquired) return result;
    const claim = await this.claims.read();
    if (claim !== undefined) {
      await this.keyStore.release(request.token);
      return { acquired: false, current: claim };
    }
    this.form.set(request.token, 'key');
    return result;
  }

  async renew(token: string, ttlMs: number): Promise<LeaseRenewResult> {
    return this.form.get(token) === 'claims' ? this.claims.renew(token, ttlMs) : this.keyStore.renew(token, ttlMs);
  }

  async release(token: string): Promise<void> {
    const form = this.form.get(token);
    this.form.delete(token);
    if (form === 'claims') await this.claims.release(token);
    else await this.keyStore.release(token);
  }

  async read(): Promise<LeaseRecord | undefined> {
    try {
      const record = await this.keyStore.read();
      if (record !== undefined) return record;
    } catch (error) {
      if (!isUnserved(error)) throw error;
    }
    return this.claims.read();
  }

  async breakLease(token: string): Promise<boolean> {
    let broke = false;
    try {
      broke = await this.keyStore.breakLease(token);
    } catch (error) {
      if (!isUnserved(error)) throw error;
    }
    return (await this.claims.breakLease(token)) || broke;
  }

  async close(): Promise<void> {
    await this.claims.close();
    await this.pool.close();
  }

  private async acquireClaims(request: LeaseRequest): Promise<LeaseAcquireResult> {
    const result = await this.claims.acquire(request);
    if (!result.acquired) return result;
    let record: LeaseRecord | undefined;
    try {
      record = await this.keyStore.read();
    } catch (error) {
      if (!isUnserved(error)) {
        await this.claims.release(request.token);
        throw error;
      }
    }
    if (record !== undefined) {
      await this.claims.release(request.token);
      return { acquired: false, current: record };
    }
    this.form.set(request.token, 'claims');
    return result;
  }
}

function isUnserved(error: unknown): boolean {
  return error instanceof LockStoreError && error.details['unserved'] === true;
}
