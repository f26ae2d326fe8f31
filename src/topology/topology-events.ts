import type { CreatePlan } from '../plan/create-plan';

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

/** Typed events of ClusterTopology. Payloads are plain data. */
export interface ClusterTopologyEvents {
  /** create() planned the cluster (before any command). */
  'create-planned': (plan: CreatePlan) => void;
  /** A create() step finished. */
  'create-step': (event: CreateStepEvent) => void;
  /** create() finished: every node reports cluster_state:ok and all agree. */
  'create-done': (event: { elapsedMs: number; masters: number; replicas: number }) => void;
  /** waitForConvergence() saw every node agree. */
  converged: (event: ConvergedEvent) => void;
  // --- repair events (issue 3) ---

  // --- membership events (issue 4) ---

  /** refresh() could not query a node. */
  'node-unreachable': (event: NodeUnreachableEvent) => void;
}
