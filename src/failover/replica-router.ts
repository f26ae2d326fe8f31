import { Redis, type RedisOptions } from 'ioredis';
import { formatAddress, parseAddress, type NodeAddress } from '../model/address';
import type { NodeInfo } from '../model/node-info';
import { keySlot, SLOT_COUNT } from '../model/key-slot';
import { parseInfo } from '../model/info-parser';
import { dialAddress, type ConnectionOptions } from '../net/connection-options';
import { NodePool } from '../net/node-pool';

/** What ioredis hands a `scaleReads` function: the nodes its slot map lists, and the command. */
interface RoutedCommand {
  getKeys(): (string | Buffer)[];
  getSlot(): number | null;
}

export interface ReplicaRouterSettings {
  /** Credentials, TLS and natMap for both the admin queries and the READONLY connections. */
  connection: Pick<ConnectionOptions, 'password' | 'username' | 'tls' | 'natMap'>;
  /** Extra ioredis options for the READONLY connections (the caller's `clusterOptions.redisOptions`). */
  redisOptions: RedisOptions;
  /** Addresses to read CLUSTER NODES from until a member answered. */
  seeds: readonly NodeAddress[];
  /** Also read from masters (`scaleReads: 'all'`). */
  includeMasters: boolean;
  /** Milliseconds between two reads of CLUSTER NODES. */
  refreshMs: number;
}

interface Shard {
  masterId: string;
  /** Announced addresses of the replicas CLUSTER NODES lists for this master (not failed). */
  replicas: string[];
}

const ADMIN_TIMEOUT_MS = 2000;

/**
 * The replica side of replicaReadCluster's routing. ioredis builds its slot map from CLUSTER
 * SLOTS, which Redis 7.0 answers without the replicas whose replication offset has not moved yet
 * (a fresh or just re-synced replica), and refreshes it only on MOVED, which reads never get: so
 * reads stay on masters. This router builds the replica side from CLUSTER NODES instead, keeps
 * one READONLY connection per replica, admits a replica only once INFO replication says its link
 * to that master is up (a replica that is still syncing could serve an empty data set), and
 * re-reads CLUSTER NODES every `refreshMs` and after every ioredis slot refresh, so a failover is
 * followed within about one period.
 */
export class ReplicaRouter {
  private readonly pool: NodePool;
  private slotShard = new Int32Array(SLOT_COUNT).fill(-1);
  private shards: Shard[] = [];
  /** READONLY connections, by announced replica address. */
  private readonly connections = new Map<string, Redis>();
  /** Replica address -> the master id it was seen in sync with. */
  private readonly synced = new Map<string, string>();
  /** Commands already sent to one of our connections: a second pass is a retry (MOVED, LOADING, closed). */
  private readonly tried = new WeakMap<object, Set<Redis>>();
  private lastAnswered: string | undefined;
  /** The masters the last CLUSTER NODES named: asked when the last node that answered does not. */
  private knownMasters: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(private readonly settings: ReplicaRouterSettings) {
    this.pool = new NodePool({ ...settings.connection, connectTimeoutMs: ADMIN_TIMEOUT_MS, commandTimeoutMs: ADMIN_TIMEOUT_MS });
  }

  /** Loads the map once (within about `ADMIN_TIMEOUT_MS`, never throwing), then keeps it fresh. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.refresh();
    this.schedule();
  }

  /** Re-reads CLUSTER NODES soon (after a MOVED, a reconnect, a read that had to be retried). */
  refreshSoon(): void {
    if (!this.stopped) void this.refresh();
  }

  /**
   * ioredis's `scaleReads` hook: a ready READONLY connection to an in-sync replica of the master
   * that serves the command's slot, or (no such replica, or a retry) ioredis's own choice.
   */
  pick(nodes: readonly (Redis | undefined)[], command: RoutedCommand): Redis | Redis[] | undefined {
    const fallback = (): Redis | Redis[] | undefined => {
      const replicas = nodes.slice(1).filter((node): node is Redis => node !== undefined);
      if (this.settings.includeMasters) return nodes.filter((node): node is Redis => node !== undefined);
      return replicas.length > 0 ? replicas : nodes[0];
    };
    const slot = this.slotOf(command);
    const shardIndex = slot === undefined ? -1 : (this.slotShard[slot] ?? -1);
    const shard = this.shards[shardIndex];
    if (shard === undefined) return fallback();
    const tried = this.tried.get(command);
    const candidates: Redis[] = [];
    for (const address of shard.replicas) {
      const connection = this.connections.get(address);
      if (connection === undefined || connection.status !== 'ready' || this.synced.get(address) !== shard.masterId) continue;
      if (tried?.has(connection) === true) continue;
      candidates.push(connection);
    }
    if (tried !== undefined) {
      // A read we routed came back (MOVED, a closed connection...): our map may be stale.
      this.refreshSoon();
    }
    // The map knows this shard has no usable replica (down, syncing, or already tried): its master,
    // not a replica ioredis's CLUSTER SLOTS map may still list.
    if (candidates.length === 0) return nodes[0] ?? fallback();
    if (this.settings.includeMasters && nodes[0] !== undefined) candidates.push(nodes[0]);
    const chosen = candidates[Math.floor(Math.random() * candidates.length)] as Redis;
    if (tried === undefined) this.tried.set(command, new Set([chosen]));
    else tried.add(chosen);
    return chosen;
  }

  /** Stops refreshing and closes every connection the router opened. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const connections = [...this.connections.values()];
    this.connections.clear();
    this.synced.clear();
    for (const connection of connections) connection.disconnect();
    await this.pool.close();
  }

  private slotOf(command: RoutedCommand): number | undefined {
    const [key] = command.getKeys();
    if (key !== undefined) return keySlot(key);
    const slot = command.getSlot();
    return typeof slot === 'number' ? slot : undefined;
  }

  private schedule(): void {
    if (this.stopped || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.refresh().finally(() => this.schedule());
    }, this.settings.refreshMs);
    this.timer.unref();
  }

  /** One refresh at a time; a request during one runs once more after it. */
  private refresh(): Promise<void> {
    if (this.running !== undefined) {
      this.again = true;
      return this.running;
    }
    this.running = this.load()
      .catch(() => undefined)
      .finally(() => {
        this.running = undefined;
        if (this.again && !this.stopped) {
          this.again = false;
          void this.refresh();
        }
      });
    return this.running;
  }

  private async load(): Promise<void> {
    const nodes = await this.clusterNodes();
    if (nodes === undefined || this.stopped) return;
    this.knownMasters = nodes.filter((node) => node.role === 'master' && !node.slots.isEmpty && !node.flags.includes('fail')).map((node) => node.address);
    const shards: Shard[] = [];
    const slotShard = new Int32Array(SLOT_COUNT).fill(-1);
    for (const master of nodes) {
      if (master.role !== 'master' || master.slots.isEmpty || master.flags.includes('fail')) continue;
      const replicas = nodes
        .filter((node) => node.role === 'replica' && node.masterId === master.id && !node.handshake && !node.flags.includes('fail') && !node.flags.includes('noaddr') && node.port > 0)
        .map((node) => node.address);
      const index = shards.push({ masterId: master.id, replicas }) - 1;
      for (const [start, end] of master.slots.ranges) slotShard.fill(index, start, end + 1);
    }
    const wanted = new Map(shards.flatMap((shard) => shard.replicas.map((address) => [address, shard.masterId] as const)));
    for (const [address, connection] of this.connections) {
      if (wanted.has(address)) continue;
      // No longer a replica (promoted, removed): finish what it was sent, then close.
      this.connections.delete(address);
      this.synced.delete(address);
      if (connection.status === 'ready') connection.quit().catch(() => connection.disconnect());
      else connection.disconnect();
    }
    await Promise.all([...wanted].map(([address, masterId]) => this.confirm(address, masterId)));
    if (this.stopped) return;
    this.shards = shards;
    this.slotShard = slotShard;
  }

  /** Opens the replica's READONLY connection if needed and checks it is in sync with `masterId`. */
  private async confirm(address: string, masterId: string): Promise<void> {
    if (this.synced.get(address) === masterId && this.connections.get(address)?.status === 'ready') return;
    this.synced.delete(address);
    let connection = this.connections.get(address);
    if (connection === undefined || connection.status === 'end') {
      connection = this.openReadOnly(address);
      this.connections.set(address, connection);
    }
    try {
      const reply = await withTimeout(connection.info('replication'), ADMIN_TIMEOUT_MS);
      const info = parseInfo(reply, `INFO replication reply from ${address}`);
      if (info['role'] === 'slave' && info['master_link_status'] === 'up' && info['master_sync_in_progress'] !== '1') this.synced.set(address, masterId);
    } catch {
      // Not ready, or not in sync: asked again at the next refresh.
    }
  }

  private openReadOnly(address: string): Redis {
    const announced = parseAddress(address);
    const dial = dialAddress(this.settings.connection.natMap, announced.host, announced.port);
    const { connection } = this.settings;
    const redis = new Redis({
      ...this.settings.redisOptions,
      host: dial.host,
      port: dial.port,
      ...(connection.username === undefined ? {} : { username: connection.username }),
      ...(connection.password === undefined ? {} : { password: connection.password }),
      ...(connection.tls === undefined ? {} : { tls: connection.tls }),
      readOnly: true,
      connectTimeout: this.settings.redisOptions.connectTimeout ?? ADMIN_TIMEOUT_MS,
    });
    // A replica that goes away is dropped from routing by its status; errors must not crash the process.
    redis.on('error', () => undefined);
    return redis;
  }

  /**
   * CLUSTER NODES of the node that answered last; when it does not answer (or on the first load),
   * of whichever of the known masters and seeds answers first, all asked at once (a silent seed
   * must not hold the client back).
   */
  private async clusterNodes(): Promise<NodeInfo[] | undefined> {
    const ask = async (address: string): Promise<NodeInfo[]> => {
      const nodes = await this.pool.get(address).clusterNodes();
      const self = nodes.find((node) => node.myself);
      // Prefer a master next time: it lists its replicas first-hand.
      this.lastAnswered = self?.role === 'replica' ? (nodes.find((node) => node.id === self.masterId)?.address ?? address) : address;
      return nodes;
    };
    const last = this.lastAnswered;
    if (last !== undefined) {
      try {
        return await ask(last);
      } catch {
        // ask the others
      }
    }
    const others = [...new Set([...this.knownMasters, ...this.settings.seeds.map(formatAddress)])].filter((address) => address !== last);
    try {
      return await Promise.any(others.map(ask));
    } catch {
      return undefined;
    }
  }
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
