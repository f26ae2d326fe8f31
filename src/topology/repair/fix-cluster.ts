import { InvalidArgumentError, PlanError } from '../../errors';
import type { Emit } from '../../util/emit';
import type { ClusterTopologyEvents } from '../topology-events';
import { SlotSet } from '../../model/slot-set';
import { planFix, type FixPlan, type FixStep } from '../../plan/fix-plan';
import type { FixAction, FixSlotDecision, UnresolvedSlots } from '../../plan/fix-plan-types';
import { moveSlotKeys } from '../../slot-move/key-mover';
import { DEFAULT_KEY_MOVE_OPTIONS, type KeyMoveOptions } from '../../slot-move/key-move-options';
import { throwIfAborted } from '../../util/abort';
import { pollUntil } from '../../util/poll';
import { runLimited } from '../../util/run-limited';
import { restoreNodeTimeouts } from '../membership/fast-gossip';
import type { TopologyContext } from '../topology-context';
import { gatherFixEvidence } from './fix-evidence';
import { DEFAULT_FIX_OPTIONS, type FixOptions } from './fix-options';

export interface FixedSlot {
  slot: number;
  owner: string;
  action: FixAction;
  movedKeys: number;
}

export interface FixReport {
  planId: string;
  /** Slots that were open (MIGRATING or IMPORTING somewhere), with the owner chosen and the keys moved to it. */
  openSlots: FixedSlot[];
  /** Slots nobody claimed, now assigned: to the node holding their keys (or mapped by the tables), or spread when empty. */
  assigned: { nodeId: string; slots: string; withKeys: boolean }[];
  /** Every slot decided, open or not (contested, stray keys, stale tables included). */
  decisions: FixSlotDecision[];
  /** Slots left alone: their keys may sit on a node that cannot be reached. */
  unresolved: UnresolvedSlots[];
  movedKeys: number;
  /** Nodes an interrupted operation had left at the fast-gossip cluster-node-timeout, set back to the cluster's value. */
  restoredNodeTimeouts: { nodeId: string; address: string; fromMs: number; toMs: number }[];
  elapsedMs: number;
}

/** Gathers every live master's view and key counts, then plans (pure). */
export async function planClusterFix(context: TopologyContext): Promise<FixPlan> {
  const state = await context.refresh();
  return planFix(state, await gatherFixEvidence(context.pool, state));
}

/**
 * Walks a fix plan: the settle waves (pipelined per node), a wait for cluster_state:ok (MIGRATE
 * is refused while a node sees the cluster down), the key moves (each slot's steps in order,
 * a few slots at once), the epoch bumps, then a convergence wait. Refuses a plan the cluster no
 * longer matches: planning again must give the same plan. First it sets back any node an interrupted
 * operation left at the fast-gossip cluster-node-timeout.
 */
export async function executeClusterFix(context: TopologyContext, plan: FixPlan, options: FixOptions = {}): Promise<FixReport> {
  checkExecuteFixArgs(plan, options);
  const fresh = await planClusterFix(context);
  if (fresh.id !== plan.id) {
    throw new PlanError(
      `Fix plan ${plan.id} no longer matches the cluster (planning now gives ${fresh.id}: ${fresh.decisions.length} slot(s) to repair). Review the new plan from planFix(), or call fix() to plan and execute in one go.`,
      { planId: plan.id, currentPlanId: fresh.id },
    );
  }
  return walkFixPlan(context, plan, options);
}

/** Pure: refuses bad arguments of executeFix() (before the lease is taken). */
export function checkExecuteFixArgs(plan: FixPlan, options: FixOptions = {}): void {
  if (plan === null || typeof plan !== 'object' || plan.kind !== 'fix' || !Array.isArray(plan.moves)) {
    throw new InvalidArgumentError('plan', plan, 'not a fix plan', 'Pass the result of planFix().');
  }
  validateFixOptions(options);
}

/** Pure: refuses bad fix() options (before the lease is taken). */
export function validateFixOptions(options: FixOptions): void {
  const concurrency = options.concurrentSlots ?? DEFAULT_FIX_OPTIONS.concurrentSlots;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new InvalidArgumentError('concurrentSlots', concurrency, 'not a whole number >= 1', 'Pass 1 or more.');
  if (options.onConflict !== undefined && options.onConflict !== 'fail' && options.onConflict !== 'replace') {
    throw new InvalidArgumentError('onConflict', options.onConflict, "not 'fail' or 'replace'", "Pass 'fail' (the default) or 'replace'.");
  }
}

async function walkFixPlan(context: TopologyContext, plan: FixPlan, options: FixOptions): Promise<FixReport> {
  const started = Date.now();
  const concurrency = options.concurrentSlots ?? DEFAULT_FIX_OPTIONS.concurrentSlots;
  const keyMove: KeyMoveOptions = { ...DEFAULT_KEY_MOVE_OPTIONS, onConflict: options.onConflict ?? DEFAULT_FIX_OPTIONS.onConflict };
  const moved = new Map<number, number>();
  const restored = await restoreNodeTimeouts(context, await context.refresh());
  const restoredNodeTimeouts = restored.map((o) => ({ nodeId: o.nodeId, address: o.address, fromMs: o.valueMs, toMs: o.intendedMs }));
  const run = async (step: FixStep): Promise<void> => {
    throwIfAborted(options.signal, 'fix');
    if (step.op !== 'move-keys') return runWave(context, plan, [step]);
    const source = context.pool.get(address(plan, step.from));
    const target = context.pool.get(address(plan, step.to));
    const result = await moveSlotKeys(context.pool, { slot: step.slot, source, target: { host: target.host, port: target.port }, targetClient: target, targetReplicas: 0 }, keyMove, { onBatch: () => undefined, onRetry: () => undefined }, options.signal);
    moved.set(step.slot, (moved.get(step.slot) ?? 0) + result.keys);
  };

  for (const wave of plan.settle) {
    throwIfAborted(options.signal, 'fix');
    await runWave(context, plan, wave);
  }
  if (plan.moves.length > 0) await awaitClusterOk(context, plan, options.signal);
  await runLimited(plan.moves, concurrency, async (entry) => {
    for (const step of entry.steps) await run(step);
  });
  for (const wave of plan.finish) {
    await runWave(context, plan, wave);
    await awaitEpochKnown(context, plan, options.signal);
  }
  if (plan.decisions.length > 0) await context.waitForConvergence(options.signal === undefined ? {} : { signal: options.signal });
  return { ...report(plan, moved, started), restoredNodeTimeouts };
}

/** Runs a wave's steps: one pipeline per node, all nodes at once; the first refusal is thrown. */
async function runWave(context: TopologyContext, plan: FixPlan, steps: readonly FixStep[]): Promise<void> {
  const byNode = new Map<string, (string | number)[][]>();
  for (const step of steps) {
    if (step.op === 'move-keys') continue;
    const command = step.op === 'bump-epoch' ? ['CLUSTER', 'BUMPEPOCH'] : step.state === 'STABLE' ? ['CLUSTER', 'SETSLOT', step.slot, 'STABLE'] : ['CLUSTER', 'SETSLOT', step.slot, step.state, step.peer];
    byNode.set(step.node, [...(byNode.get(step.node) ?? []), command]);
  }
  await Promise.all(
    [...byNode].map(async ([nodeId, commands]) => {
      const replies = await context.pool.get(address(plan, nodeId)).pipeline(commands);
      const failure = replies.find((reply) => reply instanceof Error);
      if (failure !== undefined) throw failure;
    }),
  );
}

/** Waits (bounded) until every master of the plan reports cluster_state:ok; MIGRATE fails with CLUSTERDOWN before. */
async function awaitClusterOk(context: TopologyContext, plan: FixPlan, signal?: AbortSignal): Promise<void> {
  const nodes = Object.values(plan.nodes);
  await pollUntil(
    async () => {
      const states = await Promise.all(nodes.map((node) => context.pool.get(node).clusterInfo().then((info) => info['cluster_state'], () => 'unknown')));
      return { done: states.every((state) => state === 'ok') };
    },
    { timeoutMs: context.options.convergenceTimeoutMs, operation: 'fix', ...(signal === undefined ? {} : { signal }) },
  );
}

/**
 * After an owner's BUMPEPOCH: waits (bounded) until every master of the plan knows the new greatest
 * epoch. The next bump then cannot collide with it, and the next operation's SETSLOT NODE (which
 * bumps the target only when it believes it lacks the greatest epoch) cannot act on a stale view:
 * a target that keeps an epoch below the source's loses the slot, and Redis drops its keys.
 */
async function awaitEpochKnown(context: TopologyContext, plan: FixPlan, signal?: AbortSignal): Promise<void> {
  const nodes = Object.values(plan.nodes);
  const epochs = (): Promise<number[]> => Promise.all(nodes.map((node) => context.pool.get(node).clusterInfo().then((info) => Number(info['cluster_current_epoch'] ?? 0), () => -1)));
  const target = Math.max(...(await epochs()));
  await pollUntil(async () => ({ done: (await epochs()).every((epoch) => epoch === -1 || epoch >= target) }), {
    timeoutMs: context.options.convergenceTimeoutMs,
    operation: 'fix',
    ...(signal === undefined ? {} : { signal }),
  });
}

function address(plan: FixPlan, nodeId: string): string {
  const found = plan.nodes[nodeId];
  if (found === undefined) throw new PlanError(`Fix plan ${plan.id} names node ${nodeId} but not its address. Make a new plan with planFix().`, { nodeId });
  return found;
}

function report(plan: FixPlan, moved: Map<number, number>, started: number): Omit<FixReport, 'restoredNodeTimeouts'> {
  const assignedGroups = new Map<string, { nodeId: string; slots: number[]; withKeys: boolean }>();
  for (const decision of plan.decisions) {
    if (decision.cause !== 'uncovered' && decision.cause !== 'unclaimed-mapped') continue;
    const withKeys = Object.keys(decision.keys).length > 0;
    const key = `${decision.owner}:${withKeys}`;
    const group = assignedGroups.get(key) ?? { nodeId: decision.owner, slots: [], withKeys };
    group.slots.push(decision.slot);
    assignedGroups.set(key, group);
  }
  return {
    planId: plan.id,
    openSlots: plan.decisions.filter((d) => d.wasOpen).map((d) => ({ slot: d.slot, owner: d.owner, action: d.action, movedKeys: moved.get(d.slot) ?? 0 })),
    assigned: [...assignedGroups.values()].map((g) => ({ nodeId: g.nodeId, slots: SlotSet.fromSlots(g.slots).toString(), withKeys: g.withKeys })),
    decisions: plan.decisions,
    unresolved: plan.unresolved,
    movedKeys: [...moved.values()].reduce((sum, n) => sum + n, 0),
    elapsedMs: Date.now() - started,
  };
}

/** plan + execute, the way fix() runs. */
export async function fixCluster(context: TopologyContext, options: FixOptions = {}, emit: Emit<Pick<ClusterTopologyEvents, 'fix-planned'>> = () => undefined): Promise<FixReport> {
  validateFixOptions(options);
  const plan = await planClusterFix(context);
  emit('fix-planned', plan);
  return walkFixPlan(context, plan, options);
}

