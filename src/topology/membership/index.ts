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
