import { ClusterOpsError } from '../errors';
import type { LeaseRecord } from './lease-store';

/**
 * Another operation holds the cluster's operation lease. Nothing was sent to the cluster. The
 * error names the holder; `breakLock(token)` on the topology breaks a lease whose holder is gone.
 */
export class OperationLockedError extends ClusterOpsError {
  readonly holder: LeaseRecord;
  /** The operation that was refused. */
  readonly operation: string;

  constructor(operation: string, holder: LeaseRecord) {
    const { host, pid, operation: theirs, since, owner } = holder.holder;
    const by = `${owner === undefined ? '' : `${owner} `}pid ${pid} on host ${host}`;
    const expiresAt = new Date(Date.now() + Math.max(0, holder.expiresInMs)).toISOString();
    super(
      'ERR_OPERATION_LOCKED',
      `Cannot start ${operation}: another operation holds this cluster's operation lease: "${theirs}" by ${by}, since ${new Date(since).toISOString()}, ` +
        `expiring at ${expiresAt} unless renewed (fence ${holder.fence}). Wait for it to finish (or pass lock: { waitMs }). ` +
        `If that process is gone for good, break the lease with topology.breakLock('${holder.token}'), then run topology.check() and fix().`,
      { details: { operation, holderToken: holder.token, holderHost: host, holderPid: pid, holderOperation: theirs, holderOwner: owner, since, expiresAt, fence: holder.fence } },
    );
    this.holder = holder;
    this.operation = operation;
  }
}

export type LeaseLossReason = 'expired' | 'taken' | 'broken';

/**
 * The holder lost its lease (paused past its expiry, broken by breakLock, or lost by the store)
 * and stopped before sending its next mutating command. Another operator may be changing the
 * cluster now.
 */
export class LeaseLostError extends ClusterOpsError {
  readonly operation: string;
  readonly reason: LeaseLossReason;

  constructor(operation: string, reason: LeaseLossReason, detail: string, options: { cause?: unknown; command?: string; node?: string; current?: LeaseRecord } = {}) {
    const before = options.command === undefined ? '' : ` before sending ${options.command} to ${options.node ?? 'a node'}`;
    const now = options.current === undefined ? '' : ` The lease is now held by pid ${options.current.holder.pid} on ${options.current.holder.host} ("${options.current.holder.operation}").`;
    super(
      'ERR_LEASE_LOST',
      `${operation} stopped${before}: it lost the operation lease (${detail}).${now} Nothing more was sent. ` +
        `Another operator may be changing the cluster: once it is done, run topology.check() and fix(), then make a new plan.`,
      { cause: options.cause, details: { operation, reason, command: options.command, node: options.node, holderToken: options.current?.token } },
    );
    this.operation = operation;
    this.reason = reason;
  }
}

/** The lease store could not be reached or gave an answer we cannot use. Nothing mutating was sent. */
export class LockStoreError extends ClusterOpsError {
  constructor(problem: string, fix: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super('ERR_LOCK_STORE', `The operation lease store failed: ${problem}. ${fix}`, { cause: options.cause, details: options.details ?? {} });
  }
}
