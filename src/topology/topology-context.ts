import type { EventEmitter } from 'eventemitter3';
import type { VoteWindow } from '../model/vote-window';
import type { ClusterState } from '../model/cluster-state';
import type { NodePool } from '../net/node-pool';
import type { OperationLock } from '../lock/operation-lock';
import type { ConvergenceResult, WaitForConvergenceOptions } from './convergence';
import type { ClusterTopologyEvents } from './topology-events';
import type { ResolvedClusterTopologyOptions } from './topology-options';

/**
 * What operations (create, fix, membership, migration, failover) need from a topology:
 * connections, a fresh snapshot, a convergence wait and the event channel. ClusterTopology
 * implements it; operations depend on this interface, not on the class, so imports stay acyclic.
 */
export interface TopologyContext {
  readonly pool: NodePool;
  readonly options: ResolvedClusterTopologyOptions;
  /** The operation lease: mutating operations run inside lock.run(). */
  readonly lock: OperationLock;
  /** The last snapshot refresh() took, if any. */
  readonly state: ClusterState | undefined;
  refresh(): Promise<ClusterState>;
  waitForConvergence(options?: WaitForConvergenceOptions): Promise<ConvergenceResult>;
  readonly events: Pick<EventEmitter<ClusterTopologyEvents>, 'emit'>;
  /** When each shard last held a failover election (the masters' vote window), shared by every controller. */
  readonly voteWindow: VoteWindow;
}
