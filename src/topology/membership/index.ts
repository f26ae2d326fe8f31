// Public names of the membership domain (addNode, removeNode, forgetEverywhere, replicate), re-exported by src/index.ts.
export {
  ForgetIncompleteError,
  MasterHasReplicasError,
  MasterOwnsSlotsError,
  NodeAlreadyMemberError,
  NodeStillReachableError,
  NotAMasterError,
  NotAReplicaError,
  ProtectedModeError,
  ReplicaOfOtherMasterError,
} from './errors';
export { DEFAULT_MEMBERSHIP_OPTIONS, FORGET_BAN_MS } from './membership-options';
export type {
  AddMasterOptions,
  AddNodeOptions,
  AddReplicaOptions,
  ForgetOptions,
  MembershipWaitOptions,
  RemoveNodeOptions,
  ReplicateOptions,
} from './membership-options';
export type {
  MembershipOperation,
  MembershipStep,
  MembershipStepEvent,
  NodeAddedEvent,
  NodeForgottenEvent,
  NodeRemovedEvent,
  ReplicaMovedEvent,
} from './membership-events';
export type { AddNodeResult } from './add-node';
export type { RemoveNodeResult } from './remove-node';
export type { ForgetResult } from './forget-everywhere';
export type { ReplicateResult } from './replicate';
export { chooseReplicaMaster } from '../../plan/replica-target';
export type { ReplicaTargetChoice, ReplicaTargetOptions } from '../../plan/replica-target';
export { FAST_GOSSIP_NODE_TIMEOUT_MS, NodeTimeoutRestoreError } from './fast-gossip';
export { intendedNodeTimeout, nodeTimeoutOutliers } from '../node-timeout-rules';
export type { NodeTimeoutOutlier, NodeTimeoutReading } from '../node-timeout-rules';
export type { NodeTimeoutRestoredEvent, NodeTimeoutRestoreFailedEvent } from '../topology-events';
export type { CheckEvidence } from '../check-rules';
