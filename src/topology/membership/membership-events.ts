/** Payloads of ClusterTopology's membership events. Plain, serializable data. */

export type MembershipOperation = 'add-node' | 'remove-node' | 'forget' | 'replicate';

export type MembershipStep =
  | 'preflight'
  | 'meet'
  | 'await-join'
  | 'replicate'
  | 'await-replica'
  | 'await-sync'
  | 'rehome-replicas'
  | 'forget'
  | 'await-forgotten'
  | 'reset'
  | 'shutdown';

/** A step of a membership operation finished. */
export interface MembershipStepEvent {
  operation: MembershipOperation;
  step: MembershipStep;
  /** The node the operation is about. */
  nodeId?: string;
  address: string;
  /** Milliseconds this step took. */
  elapsedMs: number;
}

/** addNode() finished: every node knows the new one (and, for a replica, its master). */
export interface NodeAddedEvent {
  nodeId: string;
  address: string;
  role: 'master' | 'replica';
  masterId?: string;
  /** For a replica: true when it shares its master's host (no other placement existed). */
  sameHost?: boolean;
  elapsedMs: number;
}

/** removeNode() finished: no remaining node lists it. */
export interface NodeRemovedEvent {
  nodeId: string;
  address: string;
  role: 'master' | 'replica';
  /** CLUSTER RESET SOFT was run on it (it was reachable). */
  reset: boolean;
  shutdown: boolean;
  elapsedMs: number;
}

/** forgetEverywhere() finished: no node lists the id (nor an address in handshake). */
export interface NodeForgottenEvent {
  nodeId: string;
  address: string;
  /** How many reachable nodes no longer list it. */
  nodes: number;
  /** Rounds of CLUSTER FORGET (1 when nothing re-learned it). */
  rounds: number;
  elapsedMs: number;
}

/** replicate() (or addNode/removeNode on its behalf) moved a replica and the cluster agrees. */
export interface ReplicaMovedEvent {
  replicaId: string;
  address: string;
  fromMasterId?: string;
  toMasterId: string;
  sameHost: boolean;
  elapsedMs: number;
}
