import { InvalidArgumentError } from '../errors';
import type { NodeAddress } from '../model/address';
import { resolveConnectionOptions, type ConnectionOptions } from '../net/connection-options';
import { assertKnownOptions, CONNECTION_OPTION_KEYS, resolveSeeds, type Seed } from '../net/seed';
import type { OperationLockOptions } from '../lock/lock-options';
import type { Logger } from '../util/event-logger';

export interface ClusterTopologyOptions extends ConnectionOptions {
  /**
   * Addresses to start discovery from; any one reachable member of the cluster is enough. Each is
   * `{ host, port }`, `'host:port'` or a `redis://` / `rediss://` URL (rediss turns TLS on; a URL's
   * user and password are used unless `username` / `password` are given).
   */
  seeds: readonly Seed[];
  /**
   * How long waitForConvergence() (and every step that waits for the cluster to agree) may take.
   * @defaultValue 30000
   */
  convergenceTimeoutMs?: number;
  /** The operation lease every mutating call takes first (store, TTL, heartbeat). See docs/safety.md. */
  lock?: OperationLockOptions;
  /**
   * Receives every event of this topology, of its lease, and of the SlotMigrator,
   * FailoverController and importData built on it, redacted (no password, token or TLS material).
   * Any object with pino-style `debug/info/warn/error(object, message)` methods.
   */
  logger?: Logger;
}

export const DEFAULT_CLUSTER_TOPOLOGY_OPTIONS = Object.freeze({
  convergenceTimeoutMs: 30_000,
} as const);

/**
 * Every option name ClusterTopology reads: anything else (e.g. an ioredis option) is refused.
 * `satisfies` makes the compiler demand a new entry here for every new option.
 */
export const CLUSTER_TOPOLOGY_OPTION_NAMES = Object.keys({
  seeds: true,
  convergenceTimeoutMs: true,
  lock: true,
  logger: true,
  ...CONNECTION_OPTION_KEYS,
} satisfies Record<keyof ClusterTopologyOptions, true>);

export type ResolvedClusterTopologyOptions = Omit<ClusterTopologyOptions, 'seeds'> & { seeds: NodeAddress[]; convergenceTimeoutMs: number; connectTimeoutMs: number; commandTimeoutMs: number };

export function resolveTopologyOptions(options: ClusterTopologyOptions): ResolvedClusterTopologyOptions {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError('options', options, 'not an options object', 'Pass { seeds: [{ host, port }] }.');
  }
  if (!Array.isArray(options.seeds)) {
    throw new InvalidArgumentError('seeds', options.seeds, 'not an array of addresses', 'Pass seeds: [{ host: "127.0.0.1", port: 6381 }] (empty only for create()).');
  }
  assertKnownOptions(options, CLUSTER_TOPOLOGY_OPTION_NAMES);
  const { seeds, options: connection } = resolveSeeds(options.seeds, options);
  const resolved = {
    ...resolveConnectionOptions(connection),
    seeds,
    convergenceTimeoutMs: options.convergenceTimeoutMs ?? DEFAULT_CLUSTER_TOPOLOGY_OPTIONS.convergenceTimeoutMs,
  };
  if (!Number.isFinite(resolved.convergenceTimeoutMs) || resolved.convergenceTimeoutMs <= 0) {
    throw new InvalidArgumentError('convergenceTimeoutMs', resolved.convergenceTimeoutMs, 'not a positive number of milliseconds', 'Pass e.g. convergenceTimeoutMs: 30000.');
  }
  return resolved;
}
