import type { RehomePlan } from '../plan/rehome-plan';
import type { OperationEndEvent } from '../util/operation-end';
import type { SpreadMastersPlan } from '../plan/spread-masters-plan';
import type { FailoverResult, FailoverStartEvent, FailoverWaitEvent } from './manual-failover';
import type { ReplaceNodeResult, ReplaceStepEvent } from './replace-node';
import type { RehomeResult } from './rehome-replicas';
import type { SpreadResult } from './spread-masters';
import type {
  MasterDemotedEvent,
  MasterWithoutReplicasEvent,
  MembershipChangeEvent,
  NodeHealthEvent,
  ReplicaPromotedEvent,
  WatchErrorEvent,
} from './watch-events';

/** watch() started polling. */
export interface WatchStartedEvent {
  intervalMs: number;
  at: number;
}

/** watch() stopped (stop(), its signal, or the controller's stop()). */
export interface WatchStoppedEvent {
  polls: number;
  at: number;
}

/** rehomeReplicas() finished. */
export type RehomeDoneEvent = Omit<RehomeResult, 'plan'>;

/** spreadMasters() finished. */
export type SpreadDoneEvent = Omit<SpreadResult, 'plan'> & { balanced: boolean };

/** Typed events of FailoverController. Payloads are plain data (ids, addresses, slots, numbers). */
export interface FailoverControllerEvents {
  /** failover() is about to send CLUSTER FAILOVER (input validated). */
  'failover-start': (event: FailoverStartEvent) => void;
  /** failover() waits before CLUSTER FAILOVER: the masters voted about this shard moments ago (2 x cluster-node-timeout). */
  'failover-wait': (event: FailoverWaitEvent) => void;
  /** failover() finished: the replica is master and every node agrees. */
  'failover-done': (event: FailoverResult) => void;
  /** failover() ended: done, failed or aborted (always emitted). */
  'failover-end': (event: OperationEndEvent) => void;

  /** watch(): a node is suspected down (PFAIL) by at least one node. */
  'node-pfail': (event: NodeHealthEvent) => void;
  /** watch(): the cluster flags a node FAIL (a majority of masters agreed). */
  'node-fail': (event: NodeHealthEvent) => void;
  /** watch(): a node that was pfail or fail is healthy again. */
  'node-recovered': (event: NodeHealthEvent) => void;
  /** watch(): a replica became a master. */
  'replica-promoted': (event: ReplicaPromotedEvent) => void;
  /** watch(): a master that served slots (or a failed one coming back) became a replica. */
  'master-demoted': (event: MasterDemotedEvent) => void;
  /** watch(): a master serving slots has no working replica left. */
  'master-without-replicas': (event: MasterWithoutReplicasEvent) => void;
  /** watch(): a node joined the cluster. */
  'node-joined': (event: MembershipChangeEvent) => void;
  /** watch(): a node was forgotten by the cluster. */
  'node-left': (event: MembershipChangeEvent) => void;
  /** watch() started polling. */
  'watch-started': (event: WatchStartedEvent) => void;
  /** watch() stopped (stop(), signal). */
  'watch-stopped': (event: WatchStoppedEvent) => void;
  /** watch() could not take a snapshot this time; it keeps polling. */
  'watch-error': (event: WatchErrorEvent) => void;

  /** A step of replaceNode() finished. */
  'replace-step': (event: ReplaceStepEvent) => void;
  /** replaceNode() finished. */
  'replace-done': (event: ReplaceNodeResult) => void;
  /** replaceNode() ended: done, failed or aborted (always emitted). */
  'replace-end': (event: OperationEndEvent) => void;
  /** rehomeReplicas() planned its moves (before any command). */
  'rehome-planned': (plan: RehomePlan) => void;
  /** rehomeReplicas() finished. */
  'rehome-done': (event: RehomeDoneEvent) => void;
  /** executeRehome() / rehomeReplicas() ended: done, failed or aborted (always emitted). */
  'rehome-end': (event: OperationEndEvent) => void;
  /** spreadMasters() planned its failovers (before any command). */
  'spread-planned': (plan: SpreadMastersPlan) => void;
  /** spreadMasters() finished. */
  'spread-done': (event: SpreadDoneEvent) => void;
  /** executeSpread() / spreadMasters() ended: done, failed or aborted (always emitted). */
  'spread-end': (event: OperationEndEvent) => void;
}
