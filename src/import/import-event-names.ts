import { eventNames, type LogLevel } from '../util/event-logger';
import type { ImporterEvents } from './import-events';

/** Every Importer event and the level a logger gets it at (the compiler demands each one). */
export const IMPORTER_EVENT_LEVELS = Object.freeze({
  start: 'info',
  progress: 'debug',
  retry: 'warn',
  end: 'info',
} as const satisfies Record<keyof ImporterEvents, LogLevel>);

/** The names of Importer's events, at runtime. */
export const IMPORTER_EVENT_NAMES: readonly (keyof ImporterEvents)[] = eventNames(IMPORTER_EVENT_LEVELS);
