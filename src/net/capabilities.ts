import { MalformedReplyError } from '../errors';
import type { NodeServer } from '../model/node-info';
import { compareVersions } from '../util/version';

/** Which server implementation answers: Redis, or Valkey (the Linux Foundation fork). */
export type ServerKind = NodeServer['kind'];

/** What a node runs, from its `INFO server` (kind, version, and the Redis version it is compatible with). */
export type ServerInfo = NodeServer;

/**
 * What a node supports, derived from its kind and version (never guessed from replies). Each flag
 * names the command or behaviour and the first version that has it.
 */
export interface ServerCapabilities extends ServerInfo {
  /** `CLUSTER ADDSLOTSRANGE` / `DELSLOTSRANGE` (Redis 7.0); before: `ADDSLOTS` / `DELSLOTS` with every slot. */
  slotRanges: boolean;
  /** ACL users: `AUTH user pass`, `MIGRATE ... AUTH2 user pass` (Redis 6.0). */
  aclUsers: boolean;
  /** `CLUSTER SHARDS` (Redis 7.0); before: `CLUSTER SLOTS` / `CLUSTER NODES`. */
  clusterShards: boolean;
  /** `CLUSTER REPLICAS` (Redis 5.0); before: `CLUSTER SLAVES`. */
  clusterReplicasCommand: 'REPLICAS' | 'SLAVES';
  /**
   * A default CLUSTER FAILOVER stalls while the master's replication offset is 0 (before Redis 6.2:
   * 0 meant "no offset yet"); the master must replicate something first.
   */
  manualFailoverNeedsOffset: boolean;
  /** `INFO everything` (Redis 6.0); before, `INFO all` is the widest and an unknown section answers nothing. */
  infoEverything: boolean;
  /** `cluster-announce-hostname` and hostnames in CLUSTER NODES (Redis 7.0). */
  announceHostname: boolean;
  /** `bind-source-addr` (Redis 7.0): outgoing connections leave from the bound address. */
  bindSourceAddr: boolean;
  /** TLS (`tls-port`, `tls-cluster`) exists in the server (Redis 6.0; a build may still lack it). */
  tls: boolean;
  /**
   * Valkey 8.0: a primary replicates `CLUSTER SETSLOT` to its replicas and waits for their ack
   * before it applies it (`NOREPLICAS` after 2 s when a replica does not answer); replicas then
   * show the slot's migrating / importing marks too.
   */
  replicatesSetSlot: boolean;
  /**
   * The RDB version of its DUMP payloads (Redis 5.0 and 6.x: 9, 7.0: 10, 7.2 and Valkey 8: 11, 7.4: 12). A
   * server refuses to RESTORE (so MIGRATE into it fails for) payloads of a higher version: keys move
   * from older servers to newer ones, not back.
   */
  rdbVersion: number;
  /** `cluster-allow-replica-migration` (Redis 6.2): a master that loses its last slot becomes a replica of the new owner. */
  allowReplicaMigrationConfig: boolean;
  /** `enable-debug-command` and friends (Redis 7.0): DEBUG is refused unless enabled. */
  protectedCommandConfigs: boolean;
}

/** Reads `INFO server` fields into a ServerInfo. Throws MalformedReplyError without a version. */
export function parseServerInfo(info: Readonly<Record<string, string>>, what = 'INFO server reply'): ServerInfo {
  const redisVersion = info['redis_version'];
  const valkeyVersion = info['valkey_version'];
  const isValkey = info['server_name'] === 'valkey' || valkeyVersion !== undefined;
  const version = isValkey ? (valkeyVersion ?? redisVersion) : redisVersion;
  if (version === undefined || !/^\d+\.\d+/.test(version)) throw new MalformedReplyError(what, 'no redis_version / valkey_version field');
  return { kind: isValkey ? 'valkey' : 'redis', version, redisCompatibleVersion: redisVersion ?? version };
}

/** Parses the first line of `redis-server --version` / `valkey-server --version`. */
export function parseServerVersionLine(text: string): ServerInfo | undefined {
  const match = /^(Redis|Valkey|KeyDB) server v=(\d+\.\d+(?:\.\d+)?)/m.exec(text);
  if (match === null) return undefined;
  const kind: ServerKind = match[1] === 'Valkey' ? 'valkey' : 'redis';
  const version = match[2] as string;
  return { kind, version, redisCompatibleVersion: kind === 'valkey' ? '7.2.4' : version };
}

/** Pure: what a server of this kind and version supports. */
export function capabilitiesOf(server: ServerInfo): ServerCapabilities {
  // Valkey forked from Redis 7.2.4: it has everything Redis 7.2 has.
  const redis = server.kind === 'valkey' ? (compareVersions(server.version, '7.2') >= 0 ? '7.2.4' : server.redisCompatibleVersion) : server.version;
  const atLeast = (version: string): boolean => compareVersions(redis, version) >= 0;
  return {
    ...server,
    slotRanges: atLeast('7.0'),
    aclUsers: atLeast('6.0'),
    clusterShards: atLeast('7.0'),
    infoEverything: atLeast('6.0'),
    manualFailoverNeedsOffset: !atLeast('6.2'),
    clusterReplicasCommand: atLeast('5.0') ? 'REPLICAS' : 'SLAVES',
    announceHostname: atLeast('7.0'),
    bindSourceAddr: atLeast('7.0'),
    tls: atLeast('6.0'),
    replicatesSetSlot: server.kind === 'valkey' && compareVersions(server.version, '8.0') >= 0,
    allowReplicaMigrationConfig: atLeast('6.2'),
    rdbVersion: atLeast('7.4') ? 12 : atLeast('7.2') ? 11 : atLeast('7.0') ? 10 : 9,
    protectedCommandConfigs: atLeast('7.0'),
  };
}

/** `Redis 5.0.14` / `Valkey 8.0.1`: how errors and docs name a server. */
export function describeServer(server: Pick<ServerInfo, 'kind' | 'version'>): string {
  return `${server.kind === 'valkey' ? 'Valkey' : 'Redis'} ${server.version}`;
}
