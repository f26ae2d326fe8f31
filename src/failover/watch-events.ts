/** Payloads of the events watch() emits. Plain, serializable data. */

export type NodeHealth = 'ok' | 'pfail' | 'fail';

/** A node changed health: `pfail` (some node suspects it), `fail` (the cluster agreed), or back to ok. */
export interface NodeHealthEvent {
  nodeId: string;
  address: string;
  role: 'master' | 'replica';
  /** Health before this snapshot (`ok` for the first one). */
  from: NodeHealth;
  /** How many views flag it `fail?` or `fail`. */
  reporters: number;
  /** When the snapshot that saw it was taken (epoch ms). */
  at: number;
}

/** A replica became a master (failover, manual or automatic). */
export interface ReplicaPromotedEvent {
  nodeId: string;
  address: string;
  /** The master it replicated before. */
  previousMasterId?: string;
  configEpoch: number;
  /** Slots it now serves, CLUSTER NODES form. */
  slots: string;
  at: number;
}

/** A master became a replica (e.g. the old master after a failover, or one that came back). */
export interface MasterDemotedEvent {
  nodeId: string;
  address: string;
  masterId?: string;
  at: number;
}

/** A master that serves slots has no working replica left: losing it now loses its slots. */
export interface MasterWithoutReplicasEvent {
  nodeId: string;
  address: string;
  slots: string;
  at: number;
}

/** A node appeared in, or disappeared from, the cluster's membership. */
export interface MembershipChangeEvent {
  nodeId: string;
  address: string;
  role: 'master' | 'replica';
  at: number;
}

/** A snapshot could not be taken (no seed answered...); the watch goes on. */
export interface WatchErrorEvent {
  message: string;
  /** Failed snapshots in a row. */
  consecutive: number;
  at: number;
}

/** The event names and payloads a snapshot diff can produce. */
export interface WatchEventMap {
  'node-pfail': NodeHealthEvent;
  'node-fail': NodeHealthEvent;
  'node-recovered': NodeHealthEvent;
  'replica-promoted': ReplicaPromotedEvent;
  'master-demoted': MasterDemotedEvent;
  'master-without-replicas': MasterWithoutReplicasEvent;
  'node-joined': MembershipChangeEvent;
  'node-left': MembershipChangeEvent;
}

/** One event of a snapshot diff: its name and payload. */
export type WatchEvent = { [K in keyof WatchEventMap]: { name: K; payload: WatchEventMap[K] } }[keyof WatchEventMap];
