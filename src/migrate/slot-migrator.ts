import { EventEmitter } from 'eventemitter3';
import { OperationAbortedError, PlanError } from '../errors';
import type { NodeAddress } from '../model/address';
import type { ClusterState } from '../model/cluster-state';
import type { SlotSet } from '../model/slot-set';
import { planDrain, type DrainOptions } from '../plan/drain-plan';
import { validateMigrationPlan, type MigrationPlan } from '../plan/migration-plan';
import { planRebalance, type RebalanceOptions } from '../plan/rebalance-plan';
import { planReshard, type ReshardRequest } from '../plan/reshard-plan';
import type { TopologyContext } from '../topology/topology-context';
import { throwIfAborted } from '../util/abort';
import { MigrationAbortedError, MigrationFailedError } from './errors';
import { FileJournal, MemoryJournal, type MigrationJournal } from './journal';
import { moveSlotKeys } from '../slot-move/key-mover';
import { assignSlots, openAndCount, readMarks, type NodeMarks, type SlotParties } from '../slot-move/slot-protocol';
import { MigrateLanes } from '../slot-move/migrate-lanes';
import { startClientProbe } from './client-probe';
import { LatencyController } from './latency-controller';
import { LatencyStats } from './latency-stats';
import { adviceFor, openSlotsOf, requireMastersStill, requireOwnMarks, roundRobinBySource } from './plan-guards';
import { NodeUnresponsiveError } from '../slot-move/node-unresponsive-error';
import { requireRestorableKeys } from './restorable-keys';
import { runLimited } from '../util/run-limited';
import type { SlotMigratorEvents } from './slot-migrator-events';
import { SLOT_MIGRATOR_EVENT_LEVELS, SLOT_MIGRATOR_EVENT_NAMES } from './slot-migrator-event-names';
import { forwardEvents } from '../util/event-logger';
import { resolveSlotMigratorOptions, type ResolvedSlotMigratorOptions, type SlotMigratorOptions } from './slot-migrator-options';

export interface ExecuteOptions {
  signal?: AbortSignal;
}

export interface MigrationResult {
  planId: string;
  movedSlots: number;
  skippedSlots: number;
  movedKeys: number;
  movedBytes: number;
  elapsedMs: number;
}

interface Totals {
  planId: string;
  started: number;
  totalSlots: number;
  doneSlots: number;
  skippedSlots: number;
  movedKeys: number;
  movedBytes: number;
  latency: LatencyStats;
}

/**
 * Moves slots and their keys between masters: plan (pure, serializable), then execute (the
 * SETSLOT / MIGRATE protocol, concurrent, resumable, abortable). Never decides on its own what
 * to move: that is the plan's job.
 */
export class SlotMigrator extends EventEmitter<SlotMigratorEvents> {
  readonly options: ResolvedSlotMigratorOptions;
  private readonly journal: MigrationJournal;

  constructor(
    private readonly topology: TopologyContext,
    options: SlotMigratorOptions = {},
  ) {
    super();
    this.options = resolveSlotMigratorOptions(options);
    const journal = this.options.journal;
    this.journal = journal === undefined ? new MemoryJournal() : typeof journal === 'string' ? new FileJournal(journal) : journal;
    const logger = topology.options?.logger;
    if (logger !== undefined) forwardEvents(this, 'SlotMigrator', SLOT_MIGRATOR_EVENT_LEVELS, logger, [topology.options.password]);
  }

  /** The names of every event a SlotMigrator emits. */
  static readonly eventNames: readonly (keyof SlotMigratorEvents)[] = SLOT_MIGRATOR_EVENT_NAMES;

  async planReshard(request: ReshardRequest): Promise<MigrationPlan> {
    return this.announce(planReshard(await this.agreedState(), request));
  }

  async planRebalance(options: RebalanceOptions = {}): Promise<MigrationPlan> {
    return this.announce(planRebalance(await this.agreedState(), options));
  }

  async planDrain(nodeId: string, options: DrainOptions = {}): Promise<MigrationPlan> {
    return this.announce(planDrain(await this.agreedState(), nodeId, options));
  }

  async reshard(request: ReshardRequest, options: ExecuteOptions = {}): Promise<MigrationResult> {
    return this.topology.lock.run('reshard', async () => this.execute(await this.planReshard(request), options));
  }

  async rebalance(request: RebalanceOptions = {}, options: ExecuteOptions = {}): Promise<MigrationResult> {
    return this.topology.lock.run('rebalance', async () => this.execute(await this.planRebalance(request), options));
  }

  async drain(nodeId: string, request: DrainOptions = {}, options: ExecuteOptions = {}): Promise<MigrationResult> {
    return this.topology.lock.run('drain', async () => this.execute(await this.planDrain(nodeId, request), options));
  }

  /**
   * Executes a plan. Safe to call again with the same plan after a crash or an abort: slots the
   * journal or the cluster show as done are skipped, half-moved ones are finished. At most
   * `maxOpenSlots` slots per pair are MIGRATING/IMPORTING at any moment, and a mark this plan did not set
   * is never overwritten (ForeignSlotMarkError, before anything is sent).
   */
  async execute(plan: MigrationPlan, options: ExecuteOptions = {}): Promise<MigrationResult> {
    return this.topology.lock.run('migrate', () => this.executeLeased(plan, options));
  }

  private async executeLeased(plan: MigrationPlan, options: ExecuteOptions): Promise<MigrationResult> {
    const { signal } = options;
    const state = await this.agreedState(plan, signal);
    requireMastersStill(plan, state);
    const moves = validateMigrationPlan(plan, state);
    const done = await this.journal.load(plan.id);
    const ours = (await this.journal.loadOpened?.(plan.id)) ?? new Set<number>();
    const totals: Totals = {
      planId: plan.id,
      started: Date.now(),
      totalSlots: plan.totalSlots,
      doneSlots: 0,
      skippedSlots: 0,
      movedKeys: 0,
      movedBytes: 0,
      latency: new LatencyStats(this.options.latencyBudgetMs),
    };
    const work = roundRobinBySource(moves.map((move) => ({ ...move, pending: this.pendingSlots(state, move, done, totals) })));
    requireOwnMarks(
      work.flatMap((move) => move.pending.map((slot) => ({ slot, from: move.from, to: move.to }))),
      state.openSlots().map((mark) => ({ ...mark, address: state.node(mark.nodeId)?.address ?? mark.nodeId })),
      ours,
    );
    await requireRestorableKeys(this.topology.pool, state, work);
    const run: Run = {
      totals,
      ours,
      // Without a budget, nothing needs the source's own timing: spare it the INFO after each MIGRATE.
      lanes: new MigrateLanes(this.topology.pool, this.options.probeTimeoutMs, this.options.latencyBudgetMs !== null),
      controllers: new Map(),
      ...(signal === undefined ? {} : { signal }),
    };
    const sources = [...new Set(work.filter((move) => move.pending.length > 0).map((move) => move.from))].map((id) => state.requireNode(id));
    const probe =
      this.options.clientProbeIntervalMs === null || sources.length === 0
        ? undefined
        : startClientProbe(sources.map((node) => ({ host: node.host, port: node.port })), this.topology.pool.options, this.options.clientProbeIntervalMs, (ms) => totals.latency.addClient(ms));
    this.emit('start', { planId: plan.id, totalSlots: plan.totalSlots, skippedSlots: totals.skippedSlots });

    try {
      await runLimited(work, this.options.concurrentPairs, (move) => this.movePair(run, state, move.from, move.to, move.pending));
      const waited = Date.now();
      await this.topology.waitForConvergence(signal === undefined ? {} : { signal });
      this.emit('convergence-wait', { planId: plan.id, phase: 'after', elapsedMs: Date.now() - waited });
    } catch (error) {
      await probe?.stop();
      const aborted = error instanceof OperationAbortedError;
      // A node that stopped answering would hold a full refresh for the command timeout: ask the others only.
      const silent = error instanceof NodeUnresponsiveError ? error.address : undefined;
      const after = silent === undefined ? await this.topology.refresh().catch(() => undefined) : undefined;
      const open = after === undefined ? await this.openSlotsOnPlanNodes(state, plan, silent) : openSlotsOf(after, plan);
      this.emitEnd(totals, aborted ? 'aborted' : 'failed');
      if (aborted) throw new MigrationAbortedError(plan.id, open, totals.doneSlots, error);
      throw new MigrationFailedError(plan.id, open, totals.doneSlots, error, adviceFor(error, after, plan));
    }
    await probe?.stop();
    this.emitEnd(totals, 'done');
    return {
      planId: plan.id,
      movedSlots: totals.doneSlots,
      skippedSlots: totals.skippedSlots,
      movedKeys: totals.movedKeys,
      movedBytes: totals.movedBytes,
      elapsedMs: Date.now() - totals.started,
    };
  }

  /** Slots of a move still to do: not in the journal and not already owned (cleanly) by the target. */
  private pendingSlots(state: ClusterState, move: { from: string; to: string; slots: SlotSet }, done: Set<number>, totals: Totals): number[] {
    const target = state.requireNode(move.to);
    const source = state.requireNode(move.from);
    const open = new Set(state.openSlots().map((mark) => mark.slot));
    const pending: number[] = [];
    const foreign: number[] = [];
    for (const slot of move.slots) {
      const finished = target.slots.has(slot) && !open.has(slot);
      if (finished || (done.has(slot) && !open.has(slot) && !source.slots.has(slot))) {
        totals.skippedSlots++;
        continue;
      }
      if (!source.slots.has(slot) && !target.slots.has(slot)) foreign.push(slot);
      else pending.push(slot);
    }
    if (foreign.length > 0) {
      throw new PlanError(
        `Slots ${foreign.slice(0, 10).join(', ')}${foreign.length > 10 ? '...' : ''} belong to neither ${source.address} nor ${target.address} any more: the cluster changed since the plan was made. Make a new plan.`,
        { slots: foreign.slice(0, 100) },
      );
    }
    return pending;
  }

  /**
   * Moves one source -> target pair in rounds of at most maxOpenSlots slots: each round is checked for
   * marks this plan did not set, journaled as opened, opened and counted (pipelined), its keys moved, then
   * assigned with one epoch bump. Between rounds an abort stops the pair; the round in flight is finished
   * first (onAbort 'finish-in-flight'), so no slot is left open.
   */
  private async movePair(run: Run, state: ClusterState, fromId: string, toId: string, slots: number[]): Promise<void> {
    if (slots.length === 0) return;
    const source = state.requireNode(fromId);
    const target = state.requireNode(toId);
    const pool = this.topology.pool;
    const parties: SlotParties = {
      fromId,
      toId,
      source: pool.get(source.address),
      target: pool.get(target.address),
      others: state.masters.filter((m) => m.id !== fromId && m.id !== toId && !m.failed && m.reachable).map((m) => pool.get(m.address)),
    };
    const pair: Pair = { parties, target: { host: target.host, port: target.port }, targetReplicas: this.replicaCount(state, toId) };
    // Slots the target already owns (a crash after SETSLOT NODE on the target) only need finishing.
    const owned = slots.filter((slot) => target.slots.has(slot));
    const rest = slots.filter((slot) => !target.slots.has(slot));
    for (const slot of owned) {
      throwIfAborted(run.signal, 'migration');
      await this.finishOwnedSlot(run, pair, slot);
    }
    // Two rounds of half the bound each are in flight, so the source always has MIGRATEs to run while the
    // other round is being opened or assigned; together they never hold more than maxOpenSlots open.
    const workers = this.options.maxOpenSlots >= 2 ? 2 : 1;
    const size = Math.floor(this.options.maxOpenSlots / workers);
    const rounds: number[][] = [];
    for (let i = 0; i < rest.length; i += size) rounds.push(rest.slice(i, i + size));
    // Each round ends by reading back the pair's marks: the next round's check costs no round trip.
    let marks: PairMarks | undefined;
    let next = 0;
    let failure: { error: unknown } | undefined;
    const worker = async (): Promise<void> => {
      while (failure === undefined && next < rounds.length) {
        const round = rounds[next++] as number[];
        try {
          throwIfAborted(run.signal, 'migration');
          marks = (await this.moveRound(run, pair, round, marks)) ?? marks;
        } catch (error) {
          failure ??= { error };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(workers, rounds.length) }, worker));
    if (failure !== undefined) throw failure.error;
  }

  /**
   * One round: opens the slots (IMPORTING, then MIGRATING and a key count in one pipeline), moves the keys of
   * those that have any side by side (their MIGRATEs queue one at a time on the source), then assigns every
   * slot whose keys all moved (pipelined, one epoch bump). A slot that failed stays open and the first failure
   * is thrown once the others have settled.
   */
  private async moveRound(run: Run, pair: Pair, slots: number[], known?: PairMarks): Promise<PairMarks | undefined> {
    const { parties } = pair;
    await this.checkMarks(run, parties, slots, known);
    await this.markOpened(run, slots);
    const started = Date.now();
    const counts = await openAndCount(parties, slots);
    const keyed = slots.filter((_, i) => (counts[i] ?? 0) > 0);
    // With 'finish-in-flight' the key moves do not see the signal: an abort lets the open slots finish.
    const keySignal = this.options.onAbort === 'leave-open' ? run.signal : undefined;
    const outcomes = await Promise.allSettled(
      keyed.map((slot) => {
        this.emit('slot-start', { planId: run.totals.planId, slot, from: parties.fromId, to: parties.toId, keys: counts[slots.indexOf(slot)] ?? 0 });
        return this.moveKeys(run, pair, slot, keySignal);
      }),
    );
    const failures = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as unknown] : []));
    const movedKeyed = keyed.filter((_, i) => outcomes[i]?.status === 'fulfilled');
    const moved = slots.filter((slot, i) => counts[i] === 0 || movedKeyed.includes(slot));
    // A node that stopped answering would hang the assignment too: leave the round open, fix() settles it.
    let marks: PairMarks | undefined;
    if (!failures.some((failure) => failure instanceof NodeUnresponsiveError)) marks = await assignSlots(parties, moved, true);
    else moved.length = 0;
    let keys = 0;
    let bytes = 0;
    movedKeyed.forEach((slot) => {
      if (!moved.includes(slot)) return;
      const outcome = outcomes[keyed.indexOf(slot)] as PromiseFulfilledResult<{ keys: number; bytes: number }>;
      keys += outcome.value.keys;
      bytes += outcome.value.bytes;
      this.emit('slot-moved', { planId: run.totals.planId, slot, from: parties.fromId, to: parties.toId, ...outcome.value, elapsedMs: Date.now() - started });
    });
    await this.finished(run.totals, moved, keys, bytes);
    if (failures.length > 0) throw failures.find((failure) => !(failure instanceof OperationAbortedError)) ?? failures[0];
    return marks;
  }

  /** A slot the target already owns while keys remain on the source (a crash after SETSLOT NODE on the target). */
  private async finishOwnedSlot(run: Run, pair: Pair, slot: number): Promise<void> {
    const { parties } = pair;
    await this.checkMarks(run, parties, [slot]);
    await this.markOpened(run, [slot]);
    const started = Date.now();
    const keys = await parties.source.countKeysInSlot(slot);
    if (keys > 0) await parties.source.setSlot(slot, 'IMPORTING', parties.toId); // lets the source serve MIGRATE for keys it no longer owns
    this.emit('slot-start', { planId: run.totals.planId, slot, from: parties.fromId, to: parties.toId, keys });
    const moved = await this.moveKeys(run, pair, slot, this.options.onAbort === 'leave-open' ? run.signal : undefined);
    await assignSlots(parties, [slot]);
    this.emit('slot-moved', { planId: run.totals.planId, slot, from: parties.fromId, to: parties.toId, keys: moved.keys, bytes: moved.bytes, elapsedMs: Date.now() - started });
    await this.finished(run.totals, [slot], moved.keys, moved.bytes);
  }

  /** Reads the marks the source and the target hold now; refuses a slot of `slots` marked by anyone but this plan. */
  private async checkMarks(run: Run, parties: SlotParties, slots: readonly number[], known?: PairMarks): Promise<void> {
    const [onSource, onTarget] = known === undefined ? await Promise.all([readMarks(parties.source), readMarks(parties.target)]) : [known.source, known.target];
    const marks = [
      ...[...onSource.migrating].map(([slot, peerId]) => ({ slot, nodeId: parties.fromId, address: parties.source.address, state: 'migrating' as const, peerId })),
      ...[...onSource.importing].map(([slot, peerId]) => ({ slot, nodeId: parties.fromId, address: parties.source.address, state: 'importing' as const, peerId })),
      ...[...onTarget.migrating].map(([slot, peerId]) => ({ slot, nodeId: parties.toId, address: parties.target.address, state: 'migrating' as const, peerId })),
      ...[...onTarget.importing].map(([slot, peerId]) => ({ slot, nodeId: parties.toId, address: parties.target.address, state: 'importing' as const, peerId })),
    ];
    requireOwnMarks(
      slots.map((slot) => ({ slot, from: parties.fromId, to: parties.toId })),
      marks,
      run.ours,
    );
  }

  /** Journals slots as opened by this plan before any mark is sent. */
  private async markOpened(run: Run, slots: readonly number[]): Promise<void> {
    await this.journal.recordOpened?.(run.totals.planId, slots);
    for (const slot of slots) run.ours.add(slot);
  }

  /** Moves one open slot's keys, reporting batches and retries as events. */
  private moveKeys(run: Run, pair: Pair, slot: number, signal?: AbortSignal): Promise<{ keys: number; bytes: number }> {
    const { planId } = run.totals;
    const source = pair.parties.source.address;
    let controller = run.controllers.get(source);
    if (controller === undefined) {
      controller = new LatencyController({ budgetMs: this.options.latencyBudgetMs, maxKeys: this.options.keysPerBatch });
      run.controllers.set(source, controller);
    }
    const sizer = controller;
    return moveSlotKeys(
      this.topology.pool,
      { slot, source: pair.parties.source, target: pair.target, targetClient: pair.parties.target, targetReplicas: pair.targetReplicas, lanes: run.lanes },
      // Sizes serve the budget's byte caps; without a budget, the keys alone are cheaper for the source.
      this.options.latencyBudgetMs === null ? { ...this.options, sizeKeys: false } : this.options,
      {
        onBatch: (event) => this.emit('batch', { planId, slot, ...event }),
        onRetry: (event) => this.emit('retry', { planId, slot, ...event }),
        nextBatch: () => sizer.next(),
        onMigrate: (event) => {
          sizer.observe(event);
          run.totals.latency.addBlocking(event.elapsedMs);
        },
      },
      signal,
    );
  }

  private async finished(totals: Totals, slots: readonly number[], keys: number, bytes: number): Promise<void> {
    if (slots.length === 0) return;
    await this.journal.record(totals.planId, slots);
    totals.doneSlots += slots.length;
    totals.movedKeys += keys;
    totals.movedBytes += bytes;
    const elapsed = Math.max(1, Date.now() - totals.started);
    const left = totals.totalSlots - totals.skippedSlots - totals.doneSlots;
    this.emit('progress', {
      planId: totals.planId,
      doneSlots: totals.doneSlots + totals.skippedSlots,
      totalSlots: totals.totalSlots,
      movedKeys: totals.movedKeys,
      movedBytes: totals.movedBytes,
      keysPerSecond: Math.round((totals.movedKeys * 1000) / elapsed),
      etaMs: Math.round((elapsed / Math.max(1, totals.doneSlots)) * left),
      latency: totals.latency.report(),
    });
  }

  private replicaCount(state: ClusterState, masterId: string): number {
    return state.replicasOf(masterId).filter((replica) => !replica.failed).length;
  }

  /** Waits until the cluster agrees, knowing every node of the plan (a node added a moment ago included). */
  private async agreedState(plan?: MigrationPlan, signal?: AbortSignal): Promise<ClusterState> {
    const started = Date.now();
    const { state } = await this.topology.waitForConvergence({
      ...(plan === undefined ? {} : { expectNodeIds: Object.keys(plan.nodes).filter((id) => plan.moves.some((m) => m.from === id || m.to === id)) }),
      ...(signal === undefined ? {} : { signal }),
    });
    if (plan !== undefined) this.emit('convergence-wait', { planId: plan.id, phase: 'before', elapsedMs: Date.now() - started });
    return state;
  }

  /** Slots the plan's nodes hold open, asked node by node with the probe timeout, skipping `skip`. */
  private async openSlotsOnPlanNodes(state: ClusterState, plan: MigrationPlan, skip: string | undefined): Promise<number[]> {
    const addresses = [...new Set(plan.moves.flatMap((m) => [m.from, m.to]))].flatMap((id) => state.node(id)?.address ?? []).filter((address) => address !== skip);
    const marks = await Promise.all(addresses.map((address) => readMarks(this.topology.pool.get(address), this.options.probeTimeoutMs).catch(() => undefined)));
    const open = new Set<number>();
    for (const node of marks) for (const slot of [...(node?.migrating.keys() ?? []), ...(node?.importing.keys() ?? [])]) open.add(slot);
    return [...open].sort((a, b) => a - b);
  }

  private announce(plan: MigrationPlan): MigrationPlan {
    this.emit('plan-ready', plan);
    return plan;
  }

  private emitEnd(totals: Totals, status: 'done' | 'aborted' | 'failed'): void {
    this.emit('end', {
      planId: totals.planId,
      status,
      doneSlots: totals.doneSlots,
      totalSlots: totals.totalSlots,
      movedKeys: totals.movedKeys,
      movedBytes: totals.movedBytes,
      elapsedMs: Date.now() - totals.started,
      skippedSlots: totals.skippedSlots,
      latency: totals.latency.report(),
    });
  }
}

/** The marks a pair's source and target held at the end of the last round. */
type PairMarks = { source: NodeMarks; target: NodeMarks };

/** One pair's fixed parts. */
interface Pair {
  parties: SlotParties;
  target: NodeAddress;
  targetReplicas: number;
}

/** One execute() call's state. */
interface Run {
  totals: Totals;
  signal?: AbortSignal;
  /** Slots whose marks this plan set (from the journal, and the rounds of this call). */
  ours: Set<number>;
  lanes: MigrateLanes;
  /** One batch sizer per source node (by address), shared by every pair from it. */
  controllers: Map<string, LatencyController>;
}
