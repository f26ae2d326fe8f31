import { eventNames, type LogLevel } from '../util/event-logger';
import type { FailoverControllerEvents } from './failover-events';

/** Every FailoverController event and the level a logger gets it at (the compiler demands each one). */
export const FAILOVER_CONTROLLER_EVENT_LEVELS = Object.freeze({
  'failover-start': 'info',
  'failover-wait': 'info',
  'failover-done': 'info',
  'failover-end': 'info',
  'node-pfail': 'warn',
  'node-fail': 'error',
  'node-recovered': 'info',
  'replica-promoted': 'warn',
  'master-demoted': 'info',
  'master-without-replicas': 'warn',
  'node-joined': 'info',
  'node-left': 'warn',
  'watch-started': 'debug',
  'watch-stopped': 'debug',
  'watch-error': 'warn',
  'replace-step': 'debug',
  'replace-done': 'info',
  'replace-end': 'info',
  'rehome-planned': 'info',
  'rehome-done': 'info',
  'rehome-end': 'info',
  'spread-planned': 'info',
  'spread-done': 'info',
  'spread-end': 'info',
} as const satisfies Record<keyof FailoverControllerEvents, LogLevel>);

/** The names of FailoverController's events, at runtime. */
export const FAILOVER_CONTROLLER_EVENT_NAMES: readonly (keyof FailoverControllerEvents)[] = eventNames(FAILOVER_CONTROLLER_EVENT_LEVELS);
