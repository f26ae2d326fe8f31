// Public names of the failover domain (FailoverController, replica reads), re-exported by src/index.ts.
export { FailoverController } from './failover-controller';
export type { FailoverControllerEvents } from './failover-events';
export { DEFAULT_FAILOVER_CONTROLLER_OPTIONS, DEFAULT_FAILOVER_OPTIONS, FAILOVER_MODES } from './failover-options';
export type {
  FailoverControllerOptions,
  FailoverMode,
  FailoverOptions,
  RehomeOptions,
  ReplaceNodeOptions,
  SpreadOptions,
  WatchOptions,
} from './failover-options';
export { DeadNodeAddressTakenError, FailoverRefusedError, FailoverTimeoutError, NoReplicaToPromoteError, PromotionTimeoutError } from './errors';
export type { TakenOverReplica } from './errors';
export type { FailoverResult, FailoverStartEvent, FailoverWaitEvent } from './manual-failover';
export type { ReplaceNodeResult, ReplaceStep, ReplaceStepEvent } from './replace-node';
export type { RehomeResult } from './rehome-replicas';
export type { SpreadResult } from './spread-masters';
export type { WatchHandle } from './watcher';
export { diffSnapshots, snapshotOf, mastersWithoutReplicas } from './watch-diff';
export type { WatchNode, WatchSnapshot } from './watch-diff';
export type {
  MasterDemotedEvent,
  MasterWithoutReplicasEvent,
  MembershipChangeEvent,
  NodeHealth,
  NodeHealthEvent,
  ReplicaPromotedEvent,
  WatchErrorEvent,
  WatchEvent,
  WatchEventMap,
} from './watch-events';
export { openReplica, replicaReadCluster } from './replica-reads';
export type { OpenReplicaOptions, ReplicaReadClusterOptions } from './replica-reads';
export { planRehomeReplicas } from '../plan/rehome-plan';
export type { GoneReplica, RehomeMove, RehomePlan, RehomePlanOptions } from '../plan/rehome-plan';
export { planSpreadMasters } from '../plan/spread-masters-plan';
export type { SpreadMastersPlan, SpreadStep } from '../plan/spread-masters-plan';
