import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { InvalidArgumentError, NodeUnreachableError } from '../errors';
import { formatAddress, type NodeAddress } from '../model/address';
import { dialAddress, type ConnectionOptions, type NatMap } from '../net/connection-options';
import { resolveSeeds, type Seed } from '../net/seed';
import { NotAReplicaError } from '../topology/membership/errors';
import { assertNodeId } from '../topology/membership/membership-options';
import type { TopologyContext } from '../topology/topology-context';

export interface ReplicaReadClusterOptions extends Pick<ConnectionOptions, 'password' | 'username' | 'tls' | 'natMap'> {
  /**
   * Where reads go: `slave` (replicas only) or `all` (masters and replicas). Writes always go
   * to masters.
   * @defaultValue 'slave'
   */
  scaleReads?: 'slave' | 'all';
  /** Any other ioredis ClusterOptions (they win over ours, except scaleReads). */
  clusterOptions?: ClusterOptions;
}

export interface OpenReplicaOptions {
  /** Extra ioredis options for the connection (host, port, credentials and readOnly are ours). */
  redisOptions?: Omit<RedisOptions, 'host' | 'port' | 'readOnly' | 'password' | 'username'>;
}

/**
 * An ioredis `Cluster` that reads from replicas: ioredis opens replica connections with
 * READONLY (its `scaleReads: 'slave'`), so reads no longer come back MOVED. Replica reads may
 * be slightly stale (asynchronous replication). Pass a ClusterTopology (seeds, credentials, TLS
 * and natMap are taken from it) or seeds (`{ host, port }`, `'host:port'`, `redis://` / `rediss://`
 * URLs). The caller quits the client.
 */
export function replicaReadCluster(source: TopologyContext | readonly Seed[], options: ReplicaReadClusterOptions = {}): Cluster {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options', options, 'not an options object', "Pass e.g. { scaleReads: 'slave' }.");
  const scaleReads = options.scaleReads ?? 'slave';
  if (scaleReads !== 'slave' && scaleReads !== 'all') throw new InvalidArgumentError('scaleReads', scaleReads, "not 'slave' or 'all'", "Pass 'slave' (replicas only) or 'all'.");
  const fromTopology = !Array.isArray(source);
  const given = fromTopology ? undefined : resolveSeeds(source as readonly Seed[], pickConnection(options));
  const connection: ReplicaReadClusterOptions = given?.options ?? { ...pickConnection((source as TopologyContext).options), ...pickConnection(options) };
  const seeds = given?.seeds ?? topologySeeds(source as TopologyContext);
  if (seeds.length === 0) throw new InvalidArgumentError('seeds', [], 'empty', 'Pass at least one node address, or a topology that knows its cluster.');
  const natMap = toIoredisNatMap(connection.natMap);
  return new Cluster(
    seeds.map((seed) => ({ host: seed.host, port: seed.port })),
    {
      ...options.clusterOptions,
      scaleReads,
      ...(natMap === undefined ? {} : { natMap }),
      redisOptions: {
        ...options.clusterOptions?.redisOptions,
        ...(connection.username === undefined ? {} : { username: connection.username }),
        ...(connection.password === undefined ? {} : { password: connection.password }),
        ...(connection.tls === undefined ? {} : { tls: connection.tls }),
      },
    },
  );
}

/**
 * Opens one connection to the replica `replicaId` with READONLY sent (ioredis `readOnly: true`,
 * so a reconnect sends it again): reads of the slots its master serves are answered locally
 * instead of MOVED. `await redis.readwrite()` restores normal mode (reads redirected to the
 * master again) until the connection reconnects. Resolves once connected; the caller quits it.
 */
export async function openReplica(topology: TopologyContext, replicaId: string, options: OpenReplicaOptions = {}): Promise<Redis> {
  assertNodeId(replicaId, 'replicaId');
  const state = await topology.refresh();
  const node = state.requireNode(replicaId);
  if (node.role !== 'replica') throw new NotAReplicaError(node.id, node.address, node.slots.size, 'openReplica opens a READONLY connection to a replica');
  if (!node.reachable) throw new NodeUnreachableError(node.address, 'the replica does not answer');
  const { options: connection } = topology;
  const dial = dialAddress(connection.natMap, node.host, node.port);
  const redis = new Redis({
    ...options.redisOptions,
    host: dial.host,
    port: dial.port,
    ...(connection.username === undefined ? {} : { username: connection.username }),
    ...(connection.password === undefined ? {} : { password: connection.password }),
    ...(connection.tls === undefined ? {} : { tls: connection.tls }),
    connectTimeout: options.redisOptions?.connectTimeout ?? connection.connectTimeoutMs,
    readOnly: true,
    lazyConnect: true,
  });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new NodeUnreachableError(formatAddress(node), error instanceof Error ? error.message : String(error));
  }
  return redis;
}

function pickConnection(options: Pick<ConnectionOptions, 'password' | 'username' | 'tls' | 'natMap'>): ReplicaReadClusterOptions {
  return {
    ...(options.password === undefined ? {} : { password: options.password }),
    ...(options.username === undefined ? {} : { username: options.username }),
    ...(options.tls === undefined ? {} : { tls: options.tls }),
    ...(options.natMap === undefined ? {} : { natMap: options.natMap }),
  };
}

/** Seeds plus every reachable member the topology's last snapshot knows. */
function topologySeeds(topology: TopologyContext): NodeAddress[] {
  const seeds = new Map<string, NodeAddress>();
  for (const seed of topology.options.seeds) seeds.set(formatAddress(seed), seed);
  for (const node of topology.state?.nodes ?? []) {
    if (node.reachable && !node.failed) seeds.set(node.address, { host: node.host, port: node.port });
  }
  return [...seeds.values()];
}

function toIoredisNatMap(natMap: NatMap | undefined): ClusterOptions['natMap'] {
  if (natMap === undefined) return undefined;
  if (typeof natMap === 'function') return (key: string) => natMap(key) ?? null;
  return natMap;
}
