import type { LeaseLossReason } from './errors';
import type { LeaseHolder } from './lease-store';

export interface LeaseAcquiredEvent {
  operation: string;
  token: string;
  fence: number;
  /** A replica of the lease's master acknowledged the lease (WAIT) before the operation began. */
  replicated: boolean;
  /** Whether the lease is held with the in-cluster default store over a create()'s nodes. */
  scope: 'cluster' | 'nodes';
}

export interface LeaseRefusedEvent {
  operation: string;
  holder: LeaseHolder;
  holderToken: string;
  expiresInMs: number;
}

export interface LeaseRenewedEvent {
  operation: string;
  /** Local validity left after this renewal, in ms. */
  validForMs: number;
}

export interface LeaseRenewFailedEvent {
  operation: string;
  /** Why the store could not be asked (the lease may still be held; the next heartbeat retries). */
  message: string;
}

export interface LeaseLostEvent {
  operation: string;
  reason: LeaseLossReason;
  detail: string;
}

export interface LeaseReleasedEvent {
  operation: string;
  heldMs: number;
}

export interface LeaseBrokenEvent {
  token: string;
  /** breakLock() was called, or the holder's process was found dead on this machine. */
  reason: 'break-lock' | 'holder-dead';
  holder?: LeaseHolder;
}

/** Events of OperationLock (topology.lock). */
export interface OperationLockEvents {
  /** The lease was taken; the operation starts. */
  'lease-acquired': (event: LeaseAcquiredEvent) => void;
  /** Another operation holds the lease; this one was refused (or waits, with waitMs). */
  'lease-refused': (event: LeaseRefusedEvent) => void;
  /** A heartbeat renewed the lease. */
  'lease-renewed': (event: LeaseRenewedEvent) => void;
  /** A heartbeat could not reach the store; the lease runs out unless a later one succeeds. */
  'lease-renew-failed': (event: LeaseRenewFailedEvent) => void;
  /** The lease is lost: the operation stops before its next mutating command. */
  'lease-lost': (event: LeaseLostEvent) => void;
  /** The operation ended and the lease was released. */
  'lease-released': (event: LeaseReleasedEvent) => void;
  /** A lease was removed: by breakLock(), or because its holder's process no longer exists on this machine. */
  'lease-broken': (event: LeaseBrokenEvent) => void;
}
