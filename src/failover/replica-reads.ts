import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { InvalidArgumentError, NodeUnreachableError } from '../errors';
import { formatAddress, type NodeAddress } from '../model/address';
import { dialAddress, type ConnectionOptions, type NatMap } from '../net/connection-options';
import { resolveSeeds, type Seed } from '../net/seed';
import { ReplicaRouter } from './replica-router';
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
  /**
   * Milliseconds between two reads of CLUSTER NODES, by which the client follows failovers and
   * replicas that joined or finished syncing.
   * @defaultValue 2000
   */
  replicaRefreshMs?: number;
  /** Any other ioredis ClusterOptions (they win over ours, except scaleReads and lazyConnect's timing). */
  clusterOptions?: ClusterOptions;
}

export const DEFAULT_REPLICA_READ_CLUSTER_OPTIONS = Object.freeze({
  scaleReads: 'slave',
  replicaRefreshMs: 2000,
} as const satisfies Partial<ReplicaReadClusterOptions>);

export interface OpenReplicaOptions {
  /** Extra ioredis options for the connection (host, port, credentials and readOnly are ours). */
  redisOptions?: Omit<RedisOptions, 'host' | 'port' | 'readOnly' | 'password' | 'username'>;
}

/**
 * An ioredis `Cluster` that reads from replicas. ioredis alone would read from the replicas its
 * CLUSTER SLOTS map lists, and Redis 7.0 leaves a replica out of CLUSTER SLOTS until its
 * replication offset moves (a fresh cluster, a demoted master after a failover), while ioredis
 * never refreshes that map for reads: reads would stay on masters. So the replica side is routed
 * by a ReplicaRouter (CLUSTER NODES, one READONLY connection per in-sync replica, refreshed every
 * `replicaRefreshMs`), and the client connects only once that map is loaded.
 */
type LegacyClusterOptions = ClusterOptions & { redisOptions?: ClusterOptions['redisOptions'] & { replyMapping?: 'legacy' } };

class ReplicaReadCluster extends Cluster {
  private readonly router: ReplicaRouter;
  private starting: Promise<void> | undefined;

  constructor(startupNodes: NodeAddress[], options: ClusterOptions, router: ReplicaRouter) {
    super(startupNodes, { ...options, lazyConnect: true } as LegacyClusterOptions);
    this.router = router;
    this.on('refresh', () => router.refreshSoon());
    this.on('end', () => void router.stop());
    if (options.lazyConnect !== true) this.connect().catch(() => undefined);
  }

  /** Loads the replica map first (bounded, never failing), so the first reads already reach replicas. */
  override connect(): Promise<void> {
    if (this.status !== 'wait' && this.status !== 'end' && this.status !== 'close') {
      this.router.refreshSoon();
      return super.connect();
    }
    this.starting ??= this.router
      .start()
      .then(() => super.connect())
      .finally(() => {
        this.starting = undefined;
      });
    return this.starting;
  }
}

/**
 * An ioredis `Cluster` whose reads go to replicas (READONLY connections) from the first command
 * on, and again soon after a failover; writes go to masters. Replica reads may be slightly stale
 * (asynchronous replication). Pass a ClusterTopology (seeds, credentials, TLS and natMap are taken
 * from it) or seeds (`{ host, port }`, `'host:port'`, `redis://` / `rediss://` URLs). The caller
 * quits the client; its replica connections close with it.
 */
export function replicaReadCluster(source: TopologyContext | readonly Seed[], options: ReplicaReadClusterOptions = {}): Cluster {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options', options, 'not an options object', "Pass e.g. { scaleReads: 'slave' }.");
  const scaleReads = options.scaleReads ?? DEFAULT_REPLICA_READ_CLUSTER_OPTIONS.scaleReads;
  if (scaleReads !== 'slave' && scaleReads !== 'all') throw new InvalidArgumentError('scaleReads', scaleReads, "not 'slave' or 'all'", "Pass 'slave' (replicas only) or 'all'.");
  const replicaRefreshMs = options.replicaRefreshMs ?? DEFAULT_REPLICA_READ_CLUSTER_OPTIONS.replicaRefreshMs;
  if (!Number.isFinite(replicaRefreshMs) || replicaRefreshMs < 100) {
    throw new InvalidArgumentError('replicaRefreshMs', replicaRefreshMs, 'not a number of milliseconds >= 100', 'Pass e.g. replicaRefreshMs: 2000.');
  }
  const fromTopology = !Array.isArray(source);
  const given = fromTopology ? undefined : resolveSeeds(source as readonly Seed[], pickConnection(options));
  const connection: ReplicaReadClusterOptions = given?.options ?? { ...pickConnection((source as TopologyContext).options), ...pickConnection(options) };
  const seeds = given?.seeds ?? topologySeeds(source as TopologyContext);
  if (seeds.length === 0) throw new InvalidArgumentError('seeds', [], 'empty', 'Pass at least one node address, or a topology that knows its cluster.');
  const natMap = toIoredisNatMap(connection.natMap);
  const redisOptions: RedisOptions = {
    ...options.clusterOptions?.redisOptions,
    ...(connection.username === undefined ? {} : { username: connection.username }),
    ...(connection.password === undefined ? {} : { password: connection.password }),
    ...(connection.tls === undefined ? {} : { tls: connection.tls }),
  };
  const router = new ReplicaRouter({
    // A natMap given only as an ioredis option applies to the replica connections too.
    connection: connection.natMap === undefined && options.clusterOptions?.natMap !== undefined ? { ...connection, natMap: options.clusterOptions.natMap as NatMap } : connection,
    redisOptions: options.clusterOptions?.redisOptions ?? {},
    seeds,
    includeMasters: scaleReads === 'all',
    refreshMs: replicaRefreshMs,
  });
  return new ReplicaReadCluster(
    seeds.map((seed) => ({ host: seed.host, port: seed.port })),
    {
      ...options.clusterOptions,
      scaleReads: (nodes: (Redis | undefined)[], command: Parameters<ReplicaRouter['pick']>[1]) => router.pick(nodes, command),
      ...(natMap === undefined ? {} : { natMap }),
      redisOptions,
    },
    router,
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

/** The reachable members of the topology's last snapshot; its seeds before it has one (a seed that is no member is left out). */
function topologySeeds(topology: TopologyContext): NodeAddress[] {
  const members = (topology.state?.nodes ?? []).filter((node) => node.reachable && !node.failed && !node.handshake).map((node) => ({ host: node.host, port: node.port }));
  return members.length > 0 ? members : [...topology.options.seeds];
}

function toIoredisNatMap(natMap: NatMap | undefined): ClusterOptions['natMap'] {
  if (natMap === undefined) return undefined;
  if (typeof natMap === 'function') return (key: string) => natMap(key) ?? null;
  return natMap;
}
