// Public names of the operation lock (lease, fencing, stores), re-exported by src/index.ts.
export { OperationLock } from './operation-lock';
export type { LockHost, LockScope, HeldLeaseInfo } from './operation-lock';
export { DEFAULT_OPERATION_LOCK_OPTIONS } from './lock-options';
export type { OperationLockOptions } from './lock-options';
export { OperationLockedError, LeaseLostError, LockStoreError } from './errors';
export type { LeaseLossReason } from './errors';
export { InClusterLeaseStore } from './in-cluster-lease-store';
export type { InClusterLeaseStoreOptions } from './in-cluster-lease-store';
export { KeyLeaseStore } from './key-lease-store';
export { NodeClaimStore } from './node-claim-store';
export { SlotRouter } from './slot-router';
export type { LeaseStore, LeaseHolder, LeaseRecord, LeaseRequest, LeaseAcquireResult, LeaseRenewResult } from './lease-store';
export { isMutatingCommand } from './mutating-commands';
export type {
  OperationLockEvents,
  LeaseAcquiredEvent,
  LeaseRefusedEvent,
  LeaseRenewedEvent,
  LeaseRenewFailedEvent,
  LeaseLostEvent,
  LeaseReleasedEvent,
  LeaseBrokenEvent,
} from './lock-events';
