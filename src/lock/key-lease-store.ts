import { decodeHolder, encodeHolder, type LeaseAcquireResult, type LeaseRecord, type LeaseRenewResult, type LeaseRequest, type LeaseStore } from './lease-store';
import { ACQUIRE_SCRIPT, READ_SCRIPT, RELEASE_SCRIPT, RENEW_SCRIPT } from './lease-scripts';
import { LockStoreError } from './errors';
import type { SlotRouter } from './slot-router';

export interface KeyLeaseStoreOptions {
  /** The lease key. */
  key: string;
  /** WAIT for one replica after acquire and renew, up to this long (ms). */
  replicaAckTimeoutMs: number;
}

/**
 * The lease as one key on the master that owns the key's slot: SET NX PX with a random token and
 * a fence (the master's clock in µs) in one script, renew by compare-and-set, release by compare-and-delete.
 * The store's server measures expiry. After acquire (and each renew) it waits for one replica to
 * hold the write (WAIT 1), so the lease survives a failover of its master. Commands follow MOVED
 * and ASK, so the lease keeps working while its slot is migrated (also by the holder's own
 * migration: MIGRATE moves the key with its TTL).
 */
export class KeyLeaseStore implements LeaseStore {
  private readonly keys: [string];

  constructor(
    private readonly router: SlotRouter,
    private readonly options: KeyLeaseStoreOptions,
  ) {
    this.keys = [options.key];
  }

  async acquire(request: LeaseRequest): Promise<LeaseAcquireResult> {
    const { reply, client } = await this.router.send(['EVAL', ACQUIRE_SCRIPT, 1, ...this.keys, request.token, request.ttlMs, encodeHolder(request.holder)]);
    const [ok, value, pttl] = scriptReply(reply);
    const record = parseValue(value, pttl);
    if (ok !== 1 || record === undefined) {
      if (record === undefined) throw new LockStoreError('the lease key holds a value this SDK did not write', `Delete or rename ${this.options.key}, or pass another lock.key.`);
      return { acquired: false, current: record };
    }
    const replicated = await this.waitForReplica(client);
    return { acquired: true, fence: record.fence, replicated };
  }

  async renew(token: string, ttlMs: number): Promise<LeaseRenewResult> {
    const { reply, client } = await this.router.send(['EVAL', RENEW_SCRIPT, 1, ...this.keys, token, ttlMs]);
    const [ok, value, pttl] = scriptReply(reply);
    if (ok === 1) {
      await this.waitForReplica(client);
      return { renewed: true };
    }
    const current = parseValue(value, pttl);
    return current === undefined ? { renewed: false } : { renewed: false, current };
  }

  async release(token: string): Promise<void> {
    await this.router.send(['EVAL', RELEASE_SCRIPT, 1, ...this.keys, token]);
  }

  async read(): Promise<LeaseRecord | undefined> {
    const { reply } = await this.router.send(['EVAL', READ_SCRIPT, 1, ...this.keys]);
    const [, value, pttl] = scriptReply(reply);
    return parseValue(value, pttl);
  }

  async breakLease(token: string): Promise<boolean> {
    const { reply } = await this.router.send(['EVAL', RELEASE_SCRIPT, 1, ...this.keys, token]);
    return Number(reply) === 1;
  }

  /** WAIT 1 on the connection that wrote, when the master has a replica; false if none acknowledged. */
  private async waitForReplica(client: import('../net/node-client').NodeClient): Promise<boolean> {
    try {
      const info = await client.info('replication');
      if (Number(info['connected_slaves'] ?? 0) === 0) return false;
      const acks = Number(await client.call(['WAIT', 1, this.options.replicaAckTimeoutMs], { timeoutMs: this.options.replicaAckTimeoutMs + 5000 }));
      return acks >= 1;
    } catch {
      return false;
    }
  }
}

function scriptReply(reply: unknown): [number, string | null, number] {
  if (!Array.isArray(reply)) throw new LockStoreError(`unexpected script reply ${JSON.stringify(reply)}`, 'Is this a Redis 5.0+ cluster node with Lua enabled?');
  return [Number(reply[0]), reply[1] === null || reply[1] === undefined ? null : String(reply[1]), Number(reply[2])];
}

/** `token:fence:holder-json` -> record; undefined for no value or one not ours. */
export function parseValue(value: string | null, pttl: number): LeaseRecord | undefined {
  if (value === null) return undefined;
  const match = /^([0-9a-f]{16,64}):(\d+):(.*)$/s.exec(value);
  if (match === null) return undefined;
  return { token: match[1] as string, fence: Number(match[2]), holder: decodeHolder(match[3] as string), expiresInMs: pttl < 0 ? 0 : pttl };
}
