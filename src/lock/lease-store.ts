/** Who holds (or asks for) the operation lease, as other operators see it. Plain data, no secrets. */
export interface LeaseHolder {
  /** Host name of the holder's machine (os.hostname()). */
  host: string;
  pid: number;
  /** The operation, e.g. 'migrate', 'fix', 'add-node', or a caller's own label for lock.run(). */
  operation: string;
  /** The tool that embeds the SDK (OperationLockOptions.owner), when given. */
  owner?: string;
  /** When the lease was taken, ms since the epoch (the holder's clock). */
  since: number;
  /**
   * Identifies the holder's machine boot and PID namespace (Linux). Another operator with the same
   * key can tell for sure whether the holder's process still exists.
   */
  processKey?: string;
}

/** A live lease as a store reports it. */
export interface LeaseRecord {
  /** The holder's random token: the name breakLock() needs. */
  token: string;
  /** The fence given at acquire: a number that grows from one acquire of the store to the next. */
  fence: number;
  holder: LeaseHolder;
  /** Milliseconds until the store expires the lease, as the store's server saw it when read. */
  expiresInMs: number;
}

export interface LeaseRequest {
  token: string;
  ttlMs: number;
  holder: LeaseHolder;
}

export type LeaseAcquireResult = { acquired: true; fence: number; replicated: boolean } | { acquired: false; current: LeaseRecord };

/**
 * Renewed: the store extended the lease by ttlMs. Not renewed: the lease is gone or held by
 * another token (`current`), which is final: the holder has lost it.
 */
/**
 * A renewal's outcome. `validForMs`: the store holds the lease for less than the full TTL from this renewal
 * (some part of it was renewed earlier and expires sooner); the holder counts its validity from that.
 */
export type LeaseRenewResult = { renewed: true; validForMs?: number } | { renewed: false; current?: LeaseRecord };

/**
 * Where the operation lease lives. Every method must be atomic with respect to the others (a
 * compare-and-set store: Redis, etcd, ZooKeeper, a SQL row with a version). The default store
 * keeps the lease in the cluster itself (InClusterLeaseStore); a team may pass its own through
 * `lock.store` so that every tool of theirs shares one.
 *
 * Expiry must be measured by the store (server clock), never by the holder: a paused or crashed
 * holder's lease must run out without its help. A throw means "unknown" (store unreachable), never
 * "refused"; OperationLock retries renewals and lets the holder's local validity run out.
 */
export interface LeaseStore {
  /** Creates the lease if no live one exists; otherwise reports the live one. */
  acquire(request: LeaseRequest): Promise<LeaseAcquireResult>;
  /** Extends the lease by ttlMs if `token` still holds it. */
  renew(token: string, ttlMs: number): Promise<LeaseRenewResult>;
  /** Deletes the lease if `token` still holds it (compare-and-delete); no-op otherwise. */
  release(token: string): Promise<void>;
  /** The live lease, if any. */
  read(): Promise<LeaseRecord | undefined>;
  /** Deletes the lease held by `token` whoever asks (a stale holder); true if it was there. */
  breakLease(token: string): Promise<boolean>;
  /** Closes the store's own connections, if it has any. */
  close?(): Promise<void>;
}

/** Serializes a holder for a store value: compact JSON, short field names. */
export function encodeHolder(holder: LeaseHolder): string {
  return JSON.stringify({
    h: holder.host,
    p: holder.pid,
    o: holder.operation,
    s: holder.since,
    ...(holder.owner === undefined ? {} : { w: holder.owner }),
    ...(holder.processKey === undefined ? {} : { k: holder.processKey }),
  });
}

/** The inverse of encodeHolder; unreadable text becomes an 'unknown' holder (another tool's value). */
export function decodeHolder(text: string): LeaseHolder {
  try {
    const value = JSON.parse(text) as { h?: unknown; p?: unknown; o?: unknown; s?: unknown; w?: unknown; k?: unknown };
    return {
      host: typeof value.h === 'string' ? value.h : 'unknown',
      pid: typeof value.p === 'number' ? value.p : 0,
      operation: typeof value.o === 'string' ? value.o : 'unknown',
      since: typeof value.s === 'number' ? value.s : 0,
      ...(typeof value.w === 'string' ? { owner: value.w } : {}),
      ...(typeof value.k === 'string' ? { processKey: value.k } : {}),
    };
  } catch {
    return { host: 'unknown', pid: 0, operation: 'unknown', since: 0 };
  }
}
