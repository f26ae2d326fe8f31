import type { CreatePlan } from '../plan/create-plan';
import type { OperationEndEvent } from '../util/operation-end';
import type { FixPlan } from '../plan/fix-plan-types';
import type { MembershipStepEvent, NodeAddedEvent, NodeForgottenEvent, NodeRemovedEvent, ReplicaMovedEvent } from './membership/membership-events';

export type CreateStep = 'preflight' | 'assign-slots' | 'set-epochs' | 'meet' | 'await-join' | 'replicate' | 'await-ok';

/** A step of create() finished. */
export interface CreateStepEvent {
  step: CreateStep;
  /** Milliseconds this step took. */
  elapsedMs: number;
  /** Nodes the step touched (`host:port`). */
  nodes: string[];
}

export interface ConvergedEvent {
  elapsedMs: number;
  attempts: number;
  nodes: number;
}

export interface NodeUnreachableEvent {
  address: string;
  nodeId?: string;
  reason: string;
}

/** A node an interrupted operation left at the fast-gossip cluster-node-timeout got the cluster's value back. */
export interface NodeTimeoutRestoredEvent {
  nodeId: string;
  address: string;
  fromMs: number;
  toMs: number;
}

/** Restoring a node's cluster-node-timeout after fastGossip failed while the operation itself failed too. */
export interface NodeTimeoutRestoreFailedEvent {
  address: string;
  valueMs: number;
  reason: string;
}

/** create() finished. */
export interface CreateDoneEvent {
  elapsedMs: number;
  masters: number;
  replicas: number;
}

/** fix() finished. */
export interface FixDoneEvent {
  openSlots: number;
  assignedSlots: number;
  movedKeys: number;
  elapsedMs: number;
}

/** Typed events of ClusterTopology. Payloads are plain data. */
export interface ClusterTopologyEvents {
  /** create() planned the cluster (before any command). */
  'create-planned': (plan: CreatePlan) => void;
  /** A create() step finished. */
  'create-step': (event: CreateStepEvent) => void;
  /** create() finished: every node reports cluster_state:ok and all agree. */
  'create-done': (event: CreateDoneEvent) => void;
  /** executeCreate() / create() ended: done, failed or aborted (always emitted). */
  'create-end': (event: OperationEndEvent) => void;
  /** waitForConvergence() saw every node agree. */
  converged: (event: ConvergedEvent) => void;
  // --- repair events ---
  /** fix() or planFix() made a plan (before any command changes the cluster). */
  'fix-planned': (plan: FixPlan) => void;
  /** fix() finished: open slots closed, uncovered slots assigned, keys moved to their owners. */
  'fix-done': (event: FixDoneEvent) => void;
  /** fix() / executeFix() ended: done, failed or aborted (always emitted). */
  'fix-end': (event: OperationEndEvent) => void;

  // --- membership events ---
  /** A step of addNode / removeNode / forgetEverywhere / replicate finished. */
  'membership-step': (event: MembershipStepEvent) => void;
  /** addNode() finished: every node knows the new node (and its master, for a replica). */
  'node-added': (event: NodeAddedEvent) => void;
  /** removeNode() finished: no remaining node lists the node. */
  'node-removed': (event: NodeRemovedEvent) => void;
  /** forgetEverywhere() finished: no node lists the id, nor its address in handshake. */
  'node-forgotten': (event: NodeForgottenEvent) => void;
  /** A replica now follows another master and every node agrees. */
  'replica-moved': (event: ReplicaMovedEvent) => void;

  /** A node left at the fast-gossip cluster-node-timeout (an operation was killed mid-way) got the cluster's value back. */
  'node-timeout-restored': (event: NodeTimeoutRestoredEvent) => void;
  /** An operation failed, and so did restoring the node timeout it had lowered (its error is the one thrown). */
  'node-timeout-restore-failed': (event: NodeTimeoutRestoreFailedEvent) => void;

  /** refresh() could not query a node. */
  'node-unreachable': (event: NodeUnreachableEvent) => void;
}
