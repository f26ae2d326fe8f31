import { performance } from 'node:perf_hooks';
import type { CommandArg } from '../net/node-client';
import { describeCommand } from '../net/secrets';
import { LeaseLostError, type LeaseLossReason } from './errors';
import type { LeaseRecord, LeaseStore } from './lease-store';
import { isMutatingCommand } from './mutating-commands';

export interface HeldLeaseTiming {
  ttlMs: number;
  renewIntervalMs: number;
  safetyMarginMs: number;
}

export interface HeldLeaseListener {
  renewed(validForMs: number): void;
  renewFailed(error: unknown): void;
  lost(reason: LeaseLossReason, detail: string): void;
}

/**
 * A lease this process holds: its token and fence, the local view of its validity, and the
 * heartbeat that renews it. The validity is counted on the monotonic clock from the moment the
 * last successful acquire/renew was SENT (so the store's expiry is always later), minus the
 * safety margin. A paused process keeps counting: it wakes up with an expired lease.
 */
export class HeldLease {
  private validUntil: number;
  private loss: { reason: LeaseLossReason; detail: string; current?: LeaseRecord } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private renewing = false;
  private released = false;

  constructor(
    private readonly store: LeaseStore,
    readonly token: string,
    readonly fence: number,
    /** A replica acknowledged the lease when it was taken. */
    readonly replicated: boolean,
    readonly operation: string,
    private readonly timing: HeldLeaseTiming,
    sentAt: number,
    private readonly listener: HeldLeaseListener,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.validUntil = sentAt + timing.ttlMs - timing.safetyMarginMs;
  }

  /** Milliseconds of local validity left (0 once lost). */
  get remainingMs(): number {
    return this.loss === undefined ? Math.max(0, this.validUntil - this.now()) : 0;
  }

  get lost(): boolean {
    return this.checkLoss() !== undefined;
  }

  /** Throws LeaseLostError if the lease is lost or its local validity ran out. */
  check(command?: string, node?: string, cause?: unknown): void {
    const loss = this.checkLoss();
    if (loss === undefined) return;
    throw new LeaseLostError(this.operation, loss.reason, loss.detail, {
      ...(command === undefined ? {} : { command }),
      ...(node === undefined ? {} : { node }),
      ...(loss.current === undefined ? {} : { current: loss.current }),
      ...(cause === undefined ? {} : { cause }),
    });
  }

  /** The command hook that fences a pool: mutating commands first check the lease. */
  readonly fenceHook = (node: string, commands: readonly (readonly CommandArg[])[]): void => {
    const mutating = commands.find((args) => isMutatingCommand(args));
    if (mutating !== undefined) this.check(describeCommand(mutating), node);
  };

  startHeartbeat(): void {
    this.timer = setInterval(() => void this.renew(), this.timing.renewIntervalMs);
    this.timer.unref();
  }

  /** One renewal; called by the heartbeat. */
  async renew(): Promise<void> {
    if (this.renewing || this.released || this.loss !== undefined) return;
    this.renewing = true;
    const sentAt = this.now();
    try {
      // Already past the local validity (a pause): the lease may be someone else's by now.
      if (sentAt >= this.validUntil) {
        this.markLost('expired', `its local validity ran out ${Math.round(sentAt - this.validUntil)} ms before this renewal (was the process paused?)`);
        return;
      }
      const result = await this.store.renew(this.token, this.timing.ttlMs);
      if (this.released) return;
      if (result.renewed) {
        const validForMs = Math.min(this.timing.ttlMs, result.validForMs ?? this.timing.ttlMs);
        this.validUntil = Math.max(this.validUntil, sentAt + validForMs - this.timing.safetyMarginMs);
        this.listener.renewed(this.remainingMs);
      } else if (result.current !== undefined) {
        this.markLost('taken', `another holder (pid ${result.current.holder.pid} on ${result.current.holder.host}) has it now`, result.current);
      } else {
        this.markLost('broken', 'the store no longer has it: it expired, was broken with breakLock(), or was lost in a failover');
      }
    } catch (error) {
      this.listener.renewFailed(error);
    } finally {
      this.renewing = false;
    }
  }

  /** Stops the heartbeat and deletes the lease from the store (if still ours). */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.timer);
    await this.store.release(this.token);
  }

  private checkLoss(): { reason: LeaseLossReason; detail: string; current?: LeaseRecord } | undefined {
    if (this.loss !== undefined) return this.loss;
    const now = this.now();
    if (now >= this.validUntil) {
      this.markLost('expired', `no renewal succeeded in the last ${this.timing.ttlMs - this.timing.safetyMarginMs} ms (was the process paused, or the store unreachable?)`);
    }
    return this.loss;
  }

  private markLost(reason: LeaseLossReason, detail: string, current?: LeaseRecord): void {
    if (this.loss !== undefined) return;
    this.loss = { reason, detail, ...(current === undefined ? {} : { current }) };
    clearInterval(this.timer);
    this.listener.lost(reason, detail);
  }
}
