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
import { assignSlots, countKeys, openSlots, type SlotParties } from '../slot-move/slot-protocol';
import { runLimited } from '../util/run-limited';
import type { SlotMigratorEvents } from './slot-migrator-events';
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
  }

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
   * journal or the cluster show as done are skipped, half-moved ones are finished.
   */
  async execute(plan: MigrationPlan, options: ExecuteOptions = {}): Promise<MigrationResult> {
    return this.topology.lock.run('migrate', () => this.executeLeased(plan, options));
  }

  private async executeLeased(plan: MigrationPlan, options: ExecuteOptions): Promise<MigrationResult> {
    const { signal } = options;
    const state = await this.agreedState(plan, signal);
    const moves = validateMigrationPlan(plan, state);
    const done = await this.journal.load(plan.id);
    const totals: Totals = { planId: plan.id, started: Date.now(), totalSlots: plan.totalSlots, doneSlots: 0, skippedSlots: 0, movedKeys: 0, movedBytes: 0 };
    const work = moves.map((move) => ({ ...move, pending: this.pendingSlots(state, move, done, totals) }));
    this.emit('start', { planId: plan.id, totalSlots: plan.totalSlots, skippedSlots: totals.skippedSlots });

    try {
      await runLimited(work, this.options.concurrentPairs, (move) => this.movePair(state, move.from, move.to, move.pending, totals, signal));
      const waited = Date.now();
      await this.topology.waitForConvergence(signal === undefined ? {} : { signal });
      this.emit('convergence-wait', { planId: plan.id, phase: 'after', elapsedMs: Date.now() - waited });
    } catch (error) {
      const aborted = error instanceof OperationAbortedError || signal?.aborted === true;
      const open = await this.openSlotsOf(plan).catch(() => [] as number[]);
      this.emitEnd(totals, aborted ? 'aborted' : 'failed');
      throw aborted ? new MigrationAbortedError(plan.id, open, totals.doneSlots, error) : new MigrationFailedError(plan.id, open, totals.doneSlots, error);
    }
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

  /** Moves one source -> target pair: empty slots in pipelined rounds, slots with keys a few at a time. */
  private async movePair(state: ClusterState, fromId: string, toId: string, slots: number[], totals: Totals, signal?: AbortSignal): Promise<void> {
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
    // Slots the target already owns (a crash after SETSLOT NODE on the target) only need finishing.
    const owned = slots.filter((slot) => target.slots.has(slot));
    const rest = slots.filter((slot) => !target.slots.has(slot));
    const keyed: number[] = [];

    // Open slots in large pipelined rounds and count their keys once open (from then on no key can
    // appear on the source: writes to new keys are sent to the target). Empty ones are assigned at
    // once; the others wait, open, for the key rounds below.
    for (let i = 0; i < rest.length; i += this.options.emptySlotBatch) {
      throwIfAborted(signal, 'migration');
      const batch = rest.slice(i, i + this.options.emptySlotBatch);
      await openSlots(parties, batch);
      const counts = await countKeys(parties.source, batch);
      const empty = batch.filter((_, j) => counts[j] === 0);
      keyed.push(...batch.filter((_, j) => (counts[j] ?? 0) > 0));
      await assignSlots(parties, empty);
      await this.finished(totals, empty, 0, 0);
    }

    const replicas = this.replicaCount(state, toId);
    for (const slot of owned) await this.moveKeyedSlot(parties, target, replicas, slot, totals, signal, true);
    for (let i = 0; i < keyed.length; i += this.options.slotsInFlight) {
      throwIfAborted(signal, 'migration');
      await this.moveKeyedRound(parties, target, replicas, keyed.slice(i, i + this.options.slotsInFlight), totals, signal);
    }
  }

  /**
   * Moves a round of slots with keys: opens them all at once (pipelined), moves their keys side by
   * side, then assigns every slot whose keys all moved (pipelined). A slot that failed stays open
   * and the first failure is thrown once the others have settled.
   */
  private async moveKeyedRound(parties: SlotParties, target: NodeAddress, targetReplicas: number, slots: number[], totals: Totals, signal?: AbortSignal): Promise<void> {
    const started = Date.now();
    const outcomes = await Promise.allSettled(
      slots.map((slot) => {
        this.emit('slot-start', { planId: totals.planId, slot, from: parties.fromId, to: parties.toId, keys: -1 });
        return this.moveKeys(parties, target, targetReplicas, slot, totals.planId, signal);
      }),
    );
    const moved = slots.filter((_, i) => outcomes[i]?.status === 'fulfilled');
    await assignSlots(parties, moved);
    let keys = 0;
    let bytes = 0;
    moved.forEach((slot) => {
      const outcome = outcomes[slots.indexOf(slot)] as PromiseFulfilledResult<{ keys: number; bytes: number }>;
      keys += outcome.value.keys;
      bytes += outcome.value.bytes;
      this.emit('slot-moved', { planId: totals.planId, slot, from: parties.fromId, to: parties.toId, ...outcome.value, elapsedMs: Date.now() - started });
    });
    await this.finished(totals, moved, keys, bytes);
    const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
  }

  private async moveKeyedSlot(
    parties: SlotParties,
    target: NodeAddress,
    targetReplicas: number,
    slot: number,
    totals: Totals,
    signal: AbortSignal | undefined,
    targetOwns: boolean,
  ): Promise<void> {
    throwIfAborted(signal, 'migration');
    const started = Date.now();
    const keys = await parties.source.countKeysInSlot(slot);
    if (!targetOwns) await openSlots(parties, [slot]);
    else if (keys > 0) await parties.source.setSlot(slot, 'IMPORTING', parties.toId); // lets the source serve MIGRATE for keys it no longer owns
    this.emit('slot-start', { planId: totals.planId, slot, from: parties.fromId, to: parties.toId, keys });
    const moved = await this.moveKeys(parties, target, targetReplicas, slot, totals.planId, signal);
    await assignSlots(parties, [slot]);
    this.emit('slot-moved', { planId: totals.planId, slot, from: parties.fromId, to: parties.toId, keys: moved.keys, bytes: moved.bytes, elapsedMs: Date.now() - started });
    await this.finished(totals, [slot], moved.keys, moved.bytes);
  }

  /** Moves one open slot's keys, reporting batches and retries as events. */
  private moveKeys(parties: SlotParties, target: NodeAddress, targetReplicas: number, slot: number, planId: string, signal?: AbortSignal): Promise<{ keys: number; bytes: number }> {
    return moveSlotKeys(
      this.topology.pool,
      { slot, source: parties.source, target: { host: target.host, port: target.port }, targetClient: parties.target, targetReplicas },
      this.options,
      {
        onBatch: (event) => this.emit('batch', { planId, slot, ...event }),
        onRetry: (event) => this.emit('retry', { planId, slot, ...event }),
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

  private async openSlotsOf(plan: MigrationPlan): Promise<number[]> {
    const state = await this.topology.refresh();
    const ids = new Set(plan.moves.flatMap((m) => [m.from, m.to]));
    return [...new Set(state.openSlots().filter((mark) => ids.has(mark.nodeId)).map((mark) => mark.slot))].sort((a, b) => a - b);
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
    });
  }
}
