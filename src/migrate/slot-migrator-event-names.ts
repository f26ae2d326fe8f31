import { eventNames, type LogLevel } from '../util/event-logger';
import type { SlotMigratorEvents } from './slot-migrator-events';

/** Every SlotMigrator event and the level a logger gets it at (the compiler demands each one). */
export const SLOT_MIGRATOR_EVENT_LEVELS = Object.freeze({
  'plan-ready': 'info',
  start: 'info',
  'slot-start': 'debug',
  batch: 'debug',
  'slot-moved': 'debug',
  progress: 'debug',
  retry: 'warn',
  'convergence-wait': 'debug',
  end: 'info',
} as const satisfies Record<keyof SlotMigratorEvents, LogLevel>);

/** The names of SlotMigrator's events, at runtime. */
export const SLOT_MIGRATOR_EVENT_NAMES: readonly (keyof SlotMigratorEvents)[] = eventNames(SLOT_MIGRATOR_EVENT_LEVELS);
