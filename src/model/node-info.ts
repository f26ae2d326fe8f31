import type { SlotSet } from './slot-set';

export type NodeRole = 'master' | 'replica';

/** The server a node runs, from its own `INFO server`. */
export interface NodeServer {
  kind: 'redis' | 'valkey';
  /** The implementation's version (`valkey_version` on Valkey). */
  version: string;
  /** `redis_version`: the Redis version the server is compatible with (7.2.4 on Valkey 8). */
  redisCompatibleVersion: string;
}

/** A slot this node is moving out (`[slot->-target]`) or in (`[slot-<-source]`). */
export interface OpenSlotMark {
  slot: number;
  /** The other side: the target for a migrating slot, the source for an importing one. */
  nodeId: string;
}

/** One node as one CLUSTER NODES line describes it. Plain data, serializable. */
export interface NodeInfo {
  /** The 40-character node id. */
  id: string;
  /** The announced IP (or empty for a `noaddr` node). */
  host: string;
  port: number;
  /** The cluster bus port. */
  cport: number;
  /** Redis 7 `cluster-announce-hostname`, if set. */
  hostname?: string;
  /** `host:port`. */
  address: string;
  /** Raw flags: myself, master, slave, fail?, fail, handshake, noaddr, nofailover. */
  flags: string[];
  role: NodeRole;
  /** For a replica: the id of its master. */
  masterId?: string;
  /** True on the line that describes the node answering the command. */
  myself: boolean;
  /** `fail` flag: the cluster agreed the node is down. */
  failed: boolean;
  /** `fail?` flag: this view suspects the node (PFAIL). */
  suspected: boolean;
  /** `handshake` flag: not yet a full member. */
  handshake: boolean;
  pingSent: number;
  pongReceived: number;
  configEpoch: number;
  linkState: 'connected' | 'disconnected';
  /** Slots this view says the node serves. */
  slots: SlotSet;
  /** Only known on the `myself` line: slots this node is migrating away. */
  migrating: OpenSlotMark[];
  /** Only known on the `myself` line: slots this node is importing. */
  importing: OpenSlotMark[];
  /** What the node runs (Redis or Valkey, and the version): known for nodes a ClusterState could query. */
  server?: NodeServer;
}
