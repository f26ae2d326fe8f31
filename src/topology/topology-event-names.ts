import { eventNames, type LogLevel } from '../util/event-logger';
import type { ClusterTopologyEvents } from './topology-events';

/** Every ClusterTopology event and the level a logger gets it at (the compiler demands each one). */
export const CLUSTER_TOPOLOGY_EVENT_LEVELS = Object.freeze({
  'create-planned': 'info',
  'create-step': 'debug',
  'create-done': 'info',
  'create-end': 'info',
  converged: 'debug',
  'fix-planned': 'info',
  'fix-done': 'info',
  'fix-end': 'info',
  'membership-step': 'debug',
  'node-added': 'info',
  'node-removed': 'info',
  'node-forgotten': 'info',
  'replica-moved': 'info',
  'node-timeout-restored': 'info',
  'node-timeout-restore-failed': 'error',
  'node-unreachable': 'warn',
} as const satisfies Record<keyof ClusterTopologyEvents, LogLevel>);

/** The names of ClusterTopology's events, at runtime. */
export const CLUSTER_TOPOLOGY_EVENT_NAMES: readonly (keyof ClusterTopologyEvents)[] = eventNames(CLUSTER_TOPOLOGY_EVENT_LEVELS);
