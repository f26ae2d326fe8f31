import { eventNames, type LogLevel } from '../util/event-logger';
import type { OperationLockEvents } from './lock-events';

/** Every OperationLock event and the level a logger gets it at (the compiler demands each one). */
export const OPERATION_LOCK_EVENT_LEVELS = Object.freeze({
  'lease-acquired': 'info',
  'lease-refused': 'warn',
  'lease-renewed': 'debug',
  'lease-renew-failed': 'warn',
  'lease-lost': 'error',
  'lease-released': 'info',
  'lease-broken': 'warn',
} as const satisfies Record<keyof OperationLockEvents, LogLevel>);

/** The names of OperationLock's events, at runtime. */
export const OPERATION_LOCK_EVENT_NAMES: readonly (keyof OperationLockEvents)[] = eventNames(OPERATION_LOCK_EVENT_LEVELS);
