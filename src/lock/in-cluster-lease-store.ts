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
  /** The masters not flagged as failed, freshly discovered (for node claims on a majority of them). */
  masters: () => Promise<readonly NodeAddress[]>;
  key: string;
  replicaAckTimeoutMs: number;
}

/**
 * The default lease store, in two parts that both must be held: the lease key on the master
 * serving its slot (KeyLeaseStore: a fence, expiry on the server, survives failover of that master)
 * and claims on a majority of the masters not flagged as failed (NodeClaimStore: needs no slot). When the key
 * cannot be written because its slot is not served or the cluster is down (an uncovered slot,
 * a master failed with no replica), the claims alone hold the lease, so that fix() can still run
 * under a lease to repair exactly that; since every key holder holds claims too, such a holder
 * excludes it.
 */
export class InClusterLeaseStore implements LeaseStore {
  private readonly pool: NodePool;
  private readonly keyStore: KeyLeaseStore;
  private readonly claims: NodeClaimStore;
  /** token -> whether the lease includes the key (besides the claims). */
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
    let claimed: LeaseAcquireResult;
    try {
      claimed = await this.claims.acquire(request);
    } catch (error) {
      await this.keyStore.release(request.token).catch(() => undefined);
      throw error;
    }
    if (!claimed.acquired) {
      // Refused: that is the answer even when the release cannot reach the key (it expires on its own).
      await this.keyStore.release(request.token).catch(() => undefined);
      return claimed;
    }
    this.form.set(request.token, 'key');
    return result;
  }

  async renew(token: string, ttlMs: number): Promise<LeaseRenewResult> {
    if (this.form.get(token) === 'key') {
      const key = await this.keyStore.renew(token, ttlMs);
      if (!key.renewed) return key;
    }
    return this.claims.renew(token, ttlMs);
  }

  async release(token: string): Promise<void> {
    const form = this.form.get(token);
    this.form.delete(token);
    try {
      if (form === 'key') await this.keyStore.release(token);
    } finally {
      await this.claims.release(token);
    }
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
