import { PlanError } from '../errors';
import type { ClusterState } from '../model/cluster-state';
import type { MigrationPlan } from '../plan/migration-plan';
import { NodeUnresponsiveError } from '../slot-move/node-unresponsive-error';
import { ForeignSlotMarkError, type MigrationAdvice } from './errors';

// The migrator's checks and verdicts about a plan and the cluster: pure functions of their arguments.

/** Orders moves so that consecutive ones come from different sources: the first pairs started cover every source. */
export function roundRobinBySource<T extends { from: string }>(moves: readonly T[]): T[] {
  const bySource = new Map<string, T[]>();
  for (const move of moves) bySource.set(move.from, [...(bySource.get(move.from) ?? []), move]);
  const queues = [...bySource.values()];
  const ordered: T[] = [];
  for (let i = 0; ordered.length < moves.length; i++) for (const queue of queues) if (i < queue.length) ordered.push(queue[i] as T);
  return ordered;
}

export type Mark = { slot: number; nodeId: string; address: string; state: 'migrating' | 'importing'; peerId: string };

/**
 * Refuses (ForeignSlotMarkError) when a slot about to be opened carries a mark this plan did not set: any mark
 * on a slot the plan never opened, or a mark between other nodes than the pair's.
 */
export function requireOwnMarks(slots: readonly { slot: number; from: string; to: string }[], marks: readonly Mark[], ours: ReadonlySet<number>): void {
  const wanted = new Map(slots.map((entry) => [entry.slot, entry]));
  const foreign = marks.filter((mark) => {
    const entry = wanted.get(mark.slot);
    if (entry === undefined) return false;
    const pair = new Set([entry.from, entry.to]);
    return !ours.has(mark.slot) || !pair.has(mark.nodeId) || !pair.has(mark.peerId);
  });
  if (foreign.length > 0) throw new ForeignSlotMarkError(foreign.map(({ slot, address, state, peerId }) => ({ slot, address, state, peerId })));
}

/**
 * A plan whose source or target is now a replica (a failover since it was made) cannot resume: says so, and
 * what to do, before validateMigrationPlan's generic refusal.
 */
export function requireMastersStill(plan: MigrationPlan, state: ClusterState): void {
  for (const id of new Set(plan.moves.flatMap((m) => [m.from, m.to]))) {
    const node = state.node(id);
    if (node === undefined || node.role === 'master') continue;
    throw new PlanError(
      `Node ${node.address} (${id.slice(0, 12)}) of plan ${plan.id} is now a replica${node.masterId === undefined ? '' : ` of ${node.masterId.slice(0, 12)}`}: a failover happened since the plan was made, so it cannot resume. ` +
        `Run topology.fix() (it settles the slots left open and gathers stray keys), then make a new plan (planReshard / planRebalance / planDrain) and execute it.`,
      { planId: plan.id, nodeId: id, address: node.address, role: node.role, advice: 'fix-then-new-plan' },
    );
  }
}

/** Slots left open by the plan's nodes. */
export function openSlotsOf(state: ClusterState, plan: MigrationPlan): number[] {
  const ids = new Set(plan.moves.flatMap((m) => [m.from, m.to]));
  return [...new Set(state.openSlots().filter((mark) => ids.has(mark.nodeId)).map((mark) => mark.slot))].sort((a, b) => a - b);
}

/** What the caller should do next, from the failure and the cluster as it is now. */
export function adviceFor(error: unknown, after: ClusterState | undefined, plan: MigrationPlan): MigrationAdvice {
  if (after !== undefined) {
    const ids = new Set(plan.moves.flatMap((m) => [m.from, m.to]));
    const nodes = [...ids].map((id) => after.node(id));
    if (nodes.some((node) => node === undefined || node.role !== 'master')) return 'fix-then-new-plan';
    if (nodes.some((node) => node !== undefined && (node.failed || !node.reachable))) return 'fix';
  }
  if (error instanceof ForeignSlotMarkError || error instanceof NodeUnresponsiveError) return 'fix';
  return 'resume';
}
