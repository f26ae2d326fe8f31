import { InvalidArgumentError } from '../errors';
import { stripUndefined } from '../util/frozen';
import type { LeaseStore } from './lease-store';

/** How a ClusterTopology takes the operation lease (ClusterTopologyOptions.lock). */
export interface OperationLockOptions {
  /**
   * Where the lease lives. The default keeps it in the cluster itself (a key on the master that
   * owns its slot), so every tool that embeds the SDK sees it; pass your own store to share a
   * lease through your own coordination service.
   * @defaultValue an InClusterLeaseStore over this topology
   */
  store?: LeaseStore;
  /**
   * Lease lifetime in ms, measured by the store's server: a crashed holder's lease is free again
   * this long after its last renewal.
   * @defaultValue 30000
   */
  ttlMs?: number;
  /**
   * Heartbeat: how often the holder renews its lease, in ms.
   * @defaultValue 5000
   */
  renewIntervalMs?: number;
  /**
   * The holder treats its lease as lost this long before the store would expire it (it counts
   * from when it sent the last successful renewal). Covers a renewal that had not reached the
   * replicas when the store's master failed over, timer lag and a command already on the wire.
   * Keep it at least renewIntervalMs.
   * @defaultValue 10000
   */
  safetyMarginMs?: number;
  /**
   * After acquiring, how long to wait (WAIT) for one replica of the lease's master to hold the lease,
   * so a failover right after does not lose it.
   * @defaultValue 2000
   */
  replicaAckTimeoutMs?: number;
  /**
   * How long a call waits for a lease held by another operation before it fails with
   * OperationLockedError. 0 refuses at once.
   * @defaultValue 0
   */
  waitMs?: number;
  /**
   * The lease key of the default store (it exists only while a lease is held).
   * @defaultValue '{redis-cluster-ops}:operation-lease'
   */
  key?: string;
  /** The name of the tool that embeds the SDK, shown to other operators in OperationLockedError. */
  owner?: string;
  /**
   * UNSAFE: run mutating operations without taking the lease and without fencing. Another
   * operator (or a second migrator in this process) can then interleave with this one and lose
   * keys. Only for a cluster nobody else can reach (a private test cluster).
   * @defaultValue false
   */
  unsafeDisableLock?: boolean;
}

export const DEFAULT_OPERATION_LOCK_OPTIONS = Object.freeze({
  ttlMs: 30_000,
  renewIntervalMs: 5_000,
  safetyMarginMs: 10_000,
  replicaAckTimeoutMs: 2_000,
  waitMs: 0,
  key: '{redis-cluster-ops}:operation-lease',
  unsafeDisableLock: false,
});

export type ResolvedOperationLockOptions = Omit<OperationLockOptions, keyof typeof DEFAULT_OPERATION_LOCK_OPTIONS> & {
  -readonly [K in keyof typeof DEFAULT_OPERATION_LOCK_OPTIONS]: (typeof DEFAULT_OPERATION_LOCK_OPTIONS)[K] extends string ? string : (typeof DEFAULT_OPERATION_LOCK_OPTIONS)[K] extends boolean ? boolean : number;
};

/** Copies, fills defaults, validates (messages name the option). Never mutates the input. */
export function resolveOperationLockOptions(options: OperationLockOptions = {}): ResolvedOperationLockOptions {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError('lock', options, 'not an options object', 'Pass lock: { ttlMs: 30000 } or leave it out.');
  }
  const resolved: ResolvedOperationLockOptions = { ...DEFAULT_OPERATION_LOCK_OPTIONS, ...stripUndefined(options) };
  for (const name of ['ttlMs', 'renewIntervalMs', 'replicaAckTimeoutMs'] as const) {
    const value = resolved[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      throw new InvalidArgumentError(`lock.${name}`, value, 'not a whole number of milliseconds > 0', `Pass e.g. lock: { ${name}: ${DEFAULT_OPERATION_LOCK_OPTIONS[name]} }.`);
    }
  }
  for (const name of ['safetyMarginMs', 'waitMs'] as const) {
    const value = resolved[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw new InvalidArgumentError(`lock.${name}`, value, 'not a whole number of milliseconds >= 0', `Pass e.g. lock: { ${name}: ${DEFAULT_OPERATION_LOCK_OPTIONS[name]} }.`);
    }
  }
  if (resolved.renewIntervalMs + resolved.safetyMarginMs >= resolved.ttlMs) {
    throw new InvalidArgumentError(
      'lock.ttlMs',
      resolved.ttlMs,
      `not above renewIntervalMs + safetyMarginMs (${resolved.renewIntervalMs} + ${resolved.safetyMarginMs}): the lease would lapse between two renewals`,
      'Raise ttlMs or lower renewIntervalMs / safetyMarginMs.',
    );
  }
  if (typeof resolved.key !== 'string' || resolved.key.length === 0 || resolved.key.length > 512 || /[\r\n]/.test(resolved.key)) {
    throw new InvalidArgumentError('lock.key', resolved.key, 'not a key name of 1 to 512 characters on one line', "Pass e.g. lock: { key: '{my-team-ops}:lease' }.");
  }
  if (resolved.owner !== undefined && (typeof resolved.owner !== 'string' || resolved.owner.length === 0 || resolved.owner.length > 200)) {
    throw new InvalidArgumentError('lock.owner', resolved.owner, 'not a non-empty string of at most 200 characters', "Pass e.g. lock: { owner: 'ops-cli' }.");
  }
  if (typeof resolved.unsafeDisableLock !== 'boolean') {
    throw new InvalidArgumentError('lock.unsafeDisableLock', resolved.unsafeDisableLock, 'not a boolean', 'Pass true only for a private cluster; leave it out otherwise.');
  }
  const store = resolved.store as Partial<Record<string, unknown>> | undefined;
  if (store !== undefined && (store === null || typeof store !== 'object' || ['acquire', 'renew', 'release', 'read', 'breakLease'].some((m) => typeof store[m] !== 'function'))) {
    throw new InvalidArgumentError('lock.store', '(object)', 'not a LeaseStore (acquire, renew, release, read, breakLease)', 'Implement the LeaseStore interface, or leave store out for the in-cluster default.');
  }
  return resolved;
}
