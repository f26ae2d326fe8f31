import { InvalidArgumentError } from '../errors';
import { stripUndefined } from '../util/frozen';
import type { FailoverMode } from '../net/node-client';

export type { FailoverMode };

export interface FailoverControllerOptions {
  /**
   * How long failover() waits for the replica to become master and every node to agree.
   * @defaultValue 15000
   */
  failoverTimeoutMs?: number;
  /**
   * How long replaceNode() waits for the cluster to promote a dead master's replica (Redis
   * needs about 2 x cluster-node-timeout to flag the master fail and elect).
   * @defaultValue 60000
   */
  promotionTimeoutMs?: number;
  /**
   * Milliseconds between two snapshots of watch().
   * @defaultValue 1000
   */
  watchIntervalMs?: number;
}

export const DEFAULT_FAILOVER_CONTROLLER_OPTIONS = Object.freeze({
  failoverTimeoutMs: 15_000,
  promotionTimeoutMs: 60_000,
  watchIntervalMs: 1000,
} as const satisfies Required<FailoverControllerOptions>);

export type ResolvedFailoverControllerOptions = Readonly<Required<FailoverControllerOptions>>;

export interface FailoverOptions {
  /**
   * `default`: the master stops writes, the replica catches up, then the cluster votes (no
   * acknowledged write is lost). `force`: no handshake with the master (it may be down), still a
   * vote. `takeover`: no vote either; the replica bumps the epoch itself.
   * @defaultValue 'default'
   */
  mode?: FailoverMode;
  /** @defaultValue the controller's failoverTimeoutMs */
  timeoutMs?: number;
  /** The master the caller expects `replicaId` to replace; refused when it replicates another. */
  of?: string;
  /**
   * Lower the old master's cluster-node-timeout to 500 ms until every node knows it became a
   * replica (they learn it from its own pings), then restore its own value. Without it, with a
   * long timeout, a failover back right after can be refused ("it is a master node").
   * @defaultValue true
   */
  fastGossip?: boolean;
  signal?: AbortSignal;
}

/** Defaults of one failover() call (its timeout defaults to the controller's failoverTimeoutMs). */
export const DEFAULT_FAILOVER_OPTIONS = Object.freeze({
  mode: 'default',
  fastGossip: true,
} as const satisfies FailoverOptions);

export interface WatchOptions {
  /** @defaultValue the controller's watchIntervalMs */
  intervalMs?: number;
  /** Stops the watch when it fires (like stop()). */
  signal?: AbortSignal;
}

export interface ReplaceNodeOptions {
  /**
   * The master the new node replicates.
   * @defaultValue the replica promoted in the dead master's place (for a dead replica: its master)
   */
  of?: string;
  /** @defaultValue the controller's promotionTimeoutMs */
  promotionTimeoutMs?: number;
  /** Convergence timeout of the add and forget steps. @defaultValue the topology's convergenceTimeoutMs */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface RehomeOptions {
  /**
   * Working replicas every slot-serving master should have.
   * @defaultValue 1
   */
  minReplicas?: number;
  /** Convergence timeout of each move. @defaultValue the topology's convergenceTimeoutMs */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface SpreadOptions {
  /** Timeout of each failover. @defaultValue the controller's failoverTimeoutMs */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export const FAILOVER_MODES: readonly FailoverMode[] = ['default', 'force', 'takeover'];

export function resolveFailoverControllerOptions(options: FailoverControllerOptions = {}): ResolvedFailoverControllerOptions {
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError('options', options, 'not an options object', 'Pass e.g. { failoverTimeoutMs: 15000 } or nothing.');
  }
  const resolved = { ...DEFAULT_FAILOVER_CONTROLLER_OPTIONS, ...stripUndefined(options) };
  for (const name of ['failoverTimeoutMs', 'promotionTimeoutMs', 'watchIntervalMs'] as const) {
    assertPositiveMs(resolved[name], name);
  }
  return Object.freeze(resolved);
}

export function assertPositiveMs(value: unknown, name: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(name, value, 'not a positive number of milliseconds', `Pass e.g. ${name}: 1000.`);
  }
}

export function assertSignal(signal: unknown): void {
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new InvalidArgumentError('signal', '(not an AbortSignal)', 'not an AbortSignal', 'Pass controller.signal from an AbortController.');
  }
}
