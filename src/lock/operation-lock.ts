import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { EventEmitter } from 'eventemitter3';
import { InvalidArgumentError } from '../errors';
import type { NodeAddress } from '../model/address';
import type { ResolvedConnectionOptions } from '../net/connection-options';
import type { CommandArg } from '../net/node-client';
import type { NodePool } from '../net/node-pool';
import { sleep } from '../util/abort';
import { LeaseLostError, OperationLockedError } from './errors';
import { HeldLease } from './held-lease';
import { InClusterLeaseStore } from './in-cluster-lease-store';
import type { LeaseHolder, LeaseRecord, LeaseStore } from './lease-store';
import type { OperationLockEvents } from './lock-events';
import { resolveOperationLockOptions, type OperationLockOptions, type ResolvedOperationLockOptions } from './lock-options';
import { NodeClaimStore } from './node-claim-store';
import { holderIsGone, processKey, trackLiveToken } from './process-identity';

/** What the lock needs from a topology (kept to an interface so the lock layer sits below topology). */
export interface LockHost {
  /** The pool whose mutating commands are fenced while a lease is held. */
  readonly pool: NodePool;
  readonly connection: ResolvedConnectionOptions;
  /** Every address worth trying to find the lease's slot: seeds and known members. */
  candidates(): readonly NodeAddress[];
  /**
   * The masters not flagged as failed, from a fresh snapshot (unreachable ones included: node
   * claims need a majority of these, so the minority side of a partition cannot take the lease).
   */
  liveMasters(): Promise<readonly NodeAddress[]>;
}

export interface LockScope {
  /**
   * The cluster does not exist yet (create()): hold the lease on these nodes instead (a claim on
   * each, see NodeClaimStore), unless a custom store was configured.
   */
  nodes?: readonly NodeAddress[];
  /** More pools to fence for the duration (e.g. the importer's source connections, which send MIGRATE). */
  pools?: readonly NodePool[];
  /**
   * Take the lease before `work` starts instead of before its first command (to fail fast, or to
   * hold the lease across work that sends nothing through the topology).
   * @defaultValue false
   */
  eager?: boolean;
}

/** A lease held by this process, as lock.current reports it. */
export interface HeldLeaseInfo {
  operation: string;
  token: string;
  fence: number;
  /** Local validity left, in ms. */
  remainingMs: number;
}

/** One run(): its lease is taken when its first command goes out (so bad input is refused first). */
interface Session {
  operation: string;
  store: LeaseStore;
  scope: 'cluster' | 'nodes';
  /** The lease's TTL for this session (longer for a create on many nodes, see nodeScopeTtlMs). */
  ttlMs: number;
  lease?: HeldLease;
  acquiring?: Promise<HeldLease>;
  /** Why the lease could not be taken (OperationLockedError, LockStoreError): run() rethrows it. */
  refused?: unknown;
}

/**
 * One mutating operation per cluster at a time, across processes and hosts. Every mutating call
 * of the SDK runs inside `run(operation, work)`: before the first command `work` sends through the
 * topology's connections, the lease is taken (or the command, and so the call, fails with
 * OperationLockedError: nothing at all was sent); from then on every mutating command first checks
 * that the lease is still valid (fencing, else LeaseLostError); a heartbeat renews it; run()
 * releases it at the end. Input that `work` refuses before sending anything needs no lease. Calls
 * nested inside a run (fix() inside your own run(), reshard() calling execute()) share its lease;
 * a concurrent call from another async chain, even in this process, is refused. See docs/safety.md.
 */
export class OperationLock extends EventEmitter<OperationLockEvents> {
  readonly options: ResolvedOperationLockOptions;
  private readonly context = new AsyncLocalStorage<Session>();
  private defaultStore: InClusterLeaseStore | undefined;

  constructor(
    private readonly host: LockHost,
    options: OperationLockOptions = {},
  ) {
    super();
    this.options = resolveOperationLockOptions(options);
    if (!this.options.unsafeDisableLock) host.pool.commandHooks.add(this.gate, this.lastCheck);
  }

  /** The store leases go to (the configured one, or the in-cluster default). */
  get store(): LeaseStore {
    if (this.options.store !== undefined) return this.options.store;
    this.defaultStore ??= new InClusterLeaseStore({
      connection: this.host.connection,
      candidates: () => this.host.candidates(),
      masters: () => this.host.liveMasters(),
      key: this.options.key,
      replicaAckTimeoutMs: this.options.replicaAckTimeoutMs,
    });
    return this.defaultStore;
  }

  /** The lease the current async chain holds, if any (a run takes it at its first command). */
  get current(): HeldLeaseInfo | undefined {
    const lease = this.context.getStore()?.lease;
    return lease === undefined ? undefined : { operation: lease.operation, token: lease.token, fence: lease.fence, remainingMs: lease.remainingMs };
  }

  /**
   * Runs `work` under the operation lease. Inside another run() of this lock, shares its lease;
   * otherwise the lease is taken before the first command `work` sends (OperationLockedError if
   * another operation holds it) and released when `work` settles. If the lease is lost meanwhile,
   * the fenced commands throw LeaseLostError and run() rethrows that (with the operation's own
   * error as cause).
   */
  async run<T>(operation: string, work: () => Promise<T>, scope: LockScope = {}): Promise<T> {
    if (typeof operation !== 'string' || operation.length === 0 || operation.length > 100) {
      throw new InvalidArgumentError('operation', operation, 'not a name of 1 to 100 characters', "Pass e.g. lock.run('nightly-rebalance', work).");
    }
    if (this.options.unsafeDisableLock) return work();
    const outer = this.context.getStore();
    const removers = (scope.pools ?? []).map((pool) => pool.commandHooks.add(this.gate, this.lastCheck));
    try {
      if (outer !== undefined) {
        outer.lease?.check();
        return await work();
      }
      return await this.runSession(operation, work, scope);
    } finally {
      removers.forEach((remove) => remove());
    }
  }

  /**
   * The hook on the topology's connections: takes the run's lease before its first command, then
   * fences mutating commands. Commands sent outside any run() pass untouched.
   */
  private readonly gate = async (node: string, commands: readonly (readonly CommandArg[])[]): Promise<void> => {
    const session = this.context.getStore();
    if (session === undefined) return;
    const lease = session.lease ?? (await this.ensureLease(session));
    lease.fenceHook(node, commands);
  };

  /**
   * The fence again, synchronously, right before the write: the gate may have waited (for the lease,
   * for a connection) and the process may have been paused in between; a lease that ran out
   * meanwhile stops the command here. What is left is the write itself (microseconds): a pause
   * there is no different from a slow network, and the lease's safety margin covers it.
   */
  private readonly lastCheck = (node: string, commands: readonly (readonly CommandArg[])[]): void => {
    this.context.getStore()?.lease?.fenceHook(node, commands);
  };

  private async runSession<T>(operation: string, work: () => Promise<T>, scope: LockScope): Promise<T> {
    const scoped = scope.nodes !== undefined && this.options.store === undefined;
    const store = scoped ? new NodeClaimStore(this.host.connection, async () => scope.nodes ?? [], 'all') : this.store;
    const ttlMs = scoped ? nodeScopeTtlMs(this.options.ttlMs, scope.nodes?.length ?? 0) : this.options.ttlMs;
    const session: Session = { operation, store, scope: scoped ? 'nodes' : 'cluster', ttlMs };
    const started = Date.now();
    try {
      if (scope.eager === true) await this.ensureLease(session);
      return await this.context.run(session, work);
    } catch (error) {
      // Refused: that is the whole story (the operation may have wrapped it); nothing was sent.
      if (session.refused !== undefined) throw session.refused;
      if (session.lease?.lost === true) {
        // Report the loss itself, naming the command it stopped (the operation may have wrapped it).
        const stopped = findLeaseLost(error);
        session.lease.check(stopped?.details['command'] as string | undefined, stopped?.details['node'] as string | undefined, error);
      }
      throw error;
    } finally {
      const lease = session.lease;
      if (lease !== undefined) {
        await lease.release().catch(() => undefined);
        trackLiveToken(lease.token, false);
        this.emit('lease-released', { operation, heldMs: Date.now() - started });
      }
      if (scoped) await store.close?.();
    }
  }

  /** Takes the session's lease once, however many commands wait for it. */
  private ensureLease(session: Session): Promise<HeldLease> {
    // Outside the session's context: the store's own reads (a refresh for the claims) must not wait for this very lease.
    session.acquiring ??= this.context.exit(() =>
      this.acquire(session.store, session.operation, session.ttlMs).then(
        (lease) => {
          session.lease = lease;
          this.emit('lease-acquired', { operation: session.operation, token: lease.token, fence: lease.fence, replicated: lease.replicated, scope: session.scope });
          return lease;
        },
        (error: unknown) => {
          session.refused = error;
          throw error;
        },
      ),
    );
    // Every waiting command gets the refusal; when the operation stopped before any command waited,
    // the refusal is still handled (runSession rethrows session.refused), never an unhandled rejection.
    session.acquiring.catch(() => undefined);
    return session.acquiring;
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

  private async acquire(store: LeaseStore, operation: string, ttlMs: number): Promise<HeldLease> {
    const { renewIntervalMs, safetyMarginMs, waitMs } = this.options;
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
      // Live from the moment it may exist in the store: another lock of this process must never
      // take it for a lease left behind.
      trackLiveToken(token, true);
      let result: Awaited<ReturnType<LeaseStore['acquire']>>;
      try {
        result = await store.acquire({ token, ttlMs, holder });
      } catch (error) {
        trackLiveToken(token, false);
        throw error;
      }
      if (result.acquired) {
        const lease = new HeldLease(store, token, result.fence, result.replicated, operation, { ttlMs, renewIntervalMs, safetyMarginMs }, sentAt, {
          renewed: (validForMs) => this.emit('lease-renewed', { operation, validForMs }),
          renewFailed: (error) => this.emit('lease-renew-failed', { operation, message: error instanceof Error ? error.message : String(error) }),
          lost: (reason, detail) => this.emit('lease-lost', { operation, reason, detail }),
        });
        lease.startHeartbeat();
        return lease;
      }
      trackLiveToken(token, false);
      const { current } = result;
      // A holder that crashed on this machine (killed, OOM), or a lease of this process whose
      // release failed, cannot send anything any more: it need not block anyone until it expires.
      if (holderIsGone(current.holder, current.token) && (await store.breakLease(current.token))) {
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

/** Per node of a create: at 100 fresh nodes on a small host, one may not answer a renewal for tens of seconds. */
const NODE_SCOPE_TTL_PER_NODE_MS = 600;

/**
 * The TTL of a lease held as claims on every node of a create: the configured one, raised to 600 ms per
 * node (60 s at 100 nodes). Each claim must be renewed within the TTL minus the safety margin, and a
 * large create keeps its own nodes busy with handshakes. A creator that crashes loses its claims at once
 * (they live on its connections); only a paused one holds them this long.
 */
export function nodeScopeTtlMs(ttlMs: number, nodes: number): number {
  return Math.max(ttlMs, nodes * NODE_SCOPE_TTL_PER_NODE_MS);
}

function findLeaseLost(error: unknown): LeaseLostError | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 8; current = current.cause, depth++) {
    if (current instanceof LeaseLostError) return current;
  }
  return undefined;
}
