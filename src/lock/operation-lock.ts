import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { EventEmitter } from 'eventemitter3';
import { InvalidArgumentError } from '../errors';
import type { NodeAddress } from '../model/address';
import type { ResolvedConnectionOptions } from '../net/connection-options';
import type { NodePool } from '../net/node-pool';
import { sleep } from '../util/abort';
import { LeaseLostError, OperationLockedError } from './errors';
import { HeldLease } from './held-lease';
import { InClusterLeaseStore } from './in-cluster-lease-store';
import type { LeaseHolder, LeaseRecord, LeaseStore } from './lease-store';
import type { OperationLockEvents } from './lock-events';
import { resolveOperationLockOptions, type OperationLockOptions, type ResolvedOperationLockOptions } from './lock-options';
import { NodeClaimStore } from './node-claim-store';
import { holderIsDead, processKey } from './process-identity';

/** What the lock needs from a topology (kept to an interface so the lock layer sits below topology). */
export interface LockHost {
  /** The pool whose mutating commands are fenced while a lease is held. */
  readonly pool: NodePool;
  readonly connection: ResolvedConnectionOptions;
  /** Every address worth trying to find the lease's slot: seeds and known members. */
  candidates(): readonly NodeAddress[];
  /** The reachable masters, from a fresh snapshot. */
  reachableMasters(): Promise<readonly NodeAddress[]>;
}

export interface LockScope {
  /**
   * The cluster does not exist yet (create()): hold the lease on these nodes instead (a claim on
   * each, see NodeClaimStore), unless a custom store was configured.
   */
  nodes?: readonly NodeAddress[];
  /** More pools to fence for the duration (e.g. the importer's source connections, which send MIGRATE). */
  pools?: readonly NodePool[];
}

/** A lease held by this process, as lock.current reports it. */
export interface HeldLeaseInfo {
  operation: string;
  token: string;
  fence: number;
  /** Local validity left, in ms. */
  remainingMs: number;
}

/**
 * One mutating operation per cluster at a time, across processes and hosts. Every mutating call
 * of the SDK runs inside `run(operation, work)`: it takes the lease (or refuses with
 * OperationLockedError before anything is sent), renews it on a heartbeat, fences the topology's
 * connections (a mutating command first checks that the lease is still valid, else
 * LeaseLostError), and releases it at the end. Calls nested inside a run (fix() inside your own
 * run(), reshard() calling execute()) reuse the held lease; a concurrent call from another async
 * chain, even in this process, is refused. See docs/safety.md.
 */
export class OperationLock extends EventEmitter<OperationLockEvents> {
  readonly options: ResolvedOperationLockOptions;
  private readonly context = new AsyncLocalStorage<HeldLease>();
  private defaultStore: InClusterLeaseStore | undefined;

  constructor(
    private readonly host: LockHost,
    options: OperationLockOptions = {},
  ) {
    super();
    this.options = resolveOperationLockOptions(options);
  }

  /** The store leases go to (the configured one, or the in-cluster default). */
  get store(): LeaseStore {
    if (this.options.store !== undefined) return this.options.store;
    this.defaultStore ??= new InClusterLeaseStore({
      connection: this.host.connection,
      candidates: () => this.host.candidates(),
      masters: () => this.host.reachableMasters(),
      key: this.options.key,
      replicaAckTimeoutMs: this.options.replicaAckTimeoutMs,
    });
    return this.defaultStore;
  }

  /** The lease the current async chain holds, if any. */
  get current(): HeldLeaseInfo | undefined {
    const lease = this.context.getStore();
    return lease === undefined ? undefined : { operation: lease.operation, token: lease.token, fence: lease.fence, remainingMs: lease.remainingMs };
  }

  /**
   * Runs `work` holding the operation lease. Reuses the lease when called inside another run()
   * of this lock; otherwise takes it first (OperationLockedError if another operation holds it)
   * and releases it when `work` settles. If the lease is lost meanwhile, the fenced commands
   * throw LeaseLostError and run() rethrows that (with the operation's own error as cause).
   */
  async run<T>(operation: string, work: () => Promise<T>, scope: LockScope = {}): Promise<T> {
    if (typeof operation !== 'string' || operation.length === 0 || operation.length > 100) {
      throw new InvalidArgumentError('operation', operation, 'not a name of 1 to 100 characters', "Pass e.g. lock.run('nightly-rebalance', work).");
    }
    const held = this.context.getStore();
    if (held !== undefined) {
      held.check();
      const removers = (scope.pools ?? []).map((pool) => pool.commandHooks.add(held.fenceHook));
      try {
        return await work();
      } finally {
        removers.forEach((remove) => remove());
      }
    }
    if (this.options.unsafeDisableLock) return work();

    const scoped = scope.nodes !== undefined && this.options.store === undefined;
    const store = scoped ? new NodeClaimStore(this.host.connection, async () => scope.nodes ?? [], 'all') : this.store;
    const started = Date.now();
    let lease: HeldLease | undefined;
    try {
      lease = await this.acquire(store, operation, scoped ? 'nodes' : 'cluster');
      const removers = [this.host.pool, ...(scope.pools ?? [])].map((pool) => pool.commandHooks.add((lease as HeldLease).fenceHook));
      try {
        return await this.context.run(lease, work);
      } catch (error) {
        if (lease.lost) {
          // Report the loss itself, naming the command it stopped (the operation may have wrapped it).
          const stopped = findLeaseLost(error);
          lease.check(stopped?.details['command'] as string | undefined, stopped?.details['node'] as string | undefined, error);
        }
        throw error;
      } finally {
        removers.forEach((remove) => remove());
        await lease.release().catch(() => undefined);
        this.emit('lease-released', { operation, heldMs: Date.now() - started });
      }
    } finally {
      if (scoped) await store.close?.();
    }
  }

  /** Who holds the lease now (read from the store), if anyone. */
  async holder(): Promise<LeaseRecord | undefined> {
    return this.store.read();
  }

  /**
   * Breaks the lease held by `token` (from OperationLockedError.holder.token), for a holder that
   * is gone for good (a host that died). A live holder stops at its next heartbeat. Returns the
   * lease that was broken, or undefined if that token no longer held it.
   */
  async breakLock(token: string): Promise<LeaseRecord | undefined> {
    if (typeof token !== 'string' || !/^[0-9a-f]{16,64}$/.test(token)) {
      throw new InvalidArgumentError('token', token, 'not a lease token', "Pass the token an OperationLockedError named (error.holder.token), e.g. breakLock('3f2a...').");
    }
    const current = await this.store.read();
    const broken = await this.store.breakLease(token);
    if (!broken) return undefined;
    const record = current?.token === token ? current : undefined;
    this.emit('lease-broken', { token, reason: 'break-lock', ...(record === undefined ? {} : { holder: record.holder }) });
    return record ?? { token, fence: 0, holder: { host: 'unknown', pid: 0, operation: 'unknown', since: 0 }, expiresInMs: 0 };
  }

  /** Closes the default store's connections (ClusterTopology.close() calls this). */
  async close(): Promise<void> {
    await this.defaultStore?.close();
    this.defaultStore = undefined;
  }

  private async acquire(store: LeaseStore, operation: string, scope: 'cluster' | 'nodes'): Promise<HeldLease> {
    const { ttlMs, renewIntervalMs, safetyMarginMs, waitMs } = this.options;
    const key = processKey();
    const holder: LeaseHolder = {
      host: hostname(),
      pid: process.pid,
      operation,
      since: Date.now(),
      ...(this.options.owner === undefined ? {} : { owner: this.options.owner }),
      ...(key === undefined ? {} : { processKey: key }),
    };
    const token = randomBytes(16).toString('hex');
    const deadline = performance.now() + waitMs;
    for (;;) {
      const sentAt = performance.now();
      const result = await store.acquire({ token, ttlMs, holder });
      if (result.acquired) {
        const lease = new HeldLease(store, token, result.fence, operation, { ttlMs, renewIntervalMs, safetyMarginMs }, sentAt, {
          renewed: (validForMs) => this.emit('lease-renewed', { operation, validForMs }),
          renewFailed: (error) => this.emit('lease-renew-failed', { operation, message: error instanceof Error ? error.message : String(error) }),
          lost: (reason, detail) => this.emit('lease-lost', { operation, reason, detail }),
        });
        lease.startHeartbeat();
        this.emit('lease-acquired', { operation, token, fence: result.fence, replicated: result.replicated, scope });
        return lease;
      }
      const { current } = result;
      // A holder that crashed on this machine (killed, OOM) cannot send anything any more: its
      // lease need not block anyone until it expires.
      if (holderIsDead(current.holder) && (await store.breakLease(current.token))) {
        this.emit('lease-broken', { token: current.token, holder: current.holder, reason: 'holder-dead' });
        continue;
      }
      this.emit('lease-refused', { operation, holder: current.holder, holderToken: current.token, expiresInMs: current.expiresInMs });
      const left = deadline - performance.now();
      if (left <= 0) throw new OperationLockedError(operation, current);
      // Jitter: two operators that saw each other's node claims both back off; they must not retry in step.
      await sleep(Math.min(left, 200 + Math.random() * 300));
    }
  }
}

function findLeaseLost(error: unknown): LeaseLostError | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 8; current = current.cause, depth++) {
    if (current instanceof LeaseLostError) return current;
  }
  return undefined;
}
