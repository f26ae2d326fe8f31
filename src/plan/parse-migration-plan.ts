import { digest } from './cluster-fingerprint';
import type { MigrationPlan, SlotMoveGroup } from './migration-plan';
import { PlanReader } from './plan-reader';

/** The id of a migration plan: a digest of its cluster fingerprint and its moves, in order. */
export function migrationPlanId(cluster: string, moves: readonly SlotMoveGroup[]): string {
  return digest([cluster, moves.map((move) => [move.from, move.to, move.slots, move.count])]);
}

/**
 * Pure: reads a migration plan from JSON text or a parsed object (e.g. a stored plan) and checks
 * it field by field, then its integrity: counts match the slots, no slot moves twice, every node
 * is listed in `nodes`, and `id` is the digest of `cluster` and `moves`. Returns a fresh copy.
 * Throws InvalidPlanError naming the field. Whether the plan fits the cluster is checked when it
 * is executed (same cluster fingerprint, live masters).
 */
export function parseMigrationPlan(input: unknown): MigrationPlan {
  const read = new PlanReader('migration');
  const plan = read.root(input);
  const cluster = read.string(plan.cluster, 'plan.cluster');
  const purpose = read.oneOf(plan.purpose, 'plan.purpose', ['reshard', 'rebalance', 'drain'] as const);
  const nodes = read.stringRecord(plan.nodes, 'plan.nodes');
  const seen = new Set<number>();
  const moves: SlotMoveGroup[] = read.array(plan.moves, 'plan.moves').map((value, index) => {
    const field = `plan.moves[${index}]`;
    const move = read.object(value, field);
    const from = read.nodeId(move.from, `${field}.from`);
    const to = read.nodeId(move.to, `${field}.to`);
    if (from === to) read.fail(`${field}.to`, 'is the same node as from');
    for (const [side, id] of [['from', from], ['to', to]] as const) {
      if (nodes[id] === undefined) read.fail(`${field}.${side}`, `(${id}) is not listed in plan.nodes`);
    }
    const slots = read.slots(move.slots, `${field}.slots`);
    if (slots.isEmpty) read.fail(`${field}.slots`, 'is empty');
    const count = read.integer(move.count, `${field}.count`, 1);
    if (count !== slots.size) read.fail(`${field}.count`, `is ${count}, but ${field}.slots holds ${slots.size} slot(s)`);
    for (const slot of slots) {
      if (seen.has(slot)) read.fail(`${field}.slots`, `moves slot ${slot}, which an earlier move moves too`);
      seen.add(slot);
    }
    return { from, to, slots: slots.toString(), count };
  });
  const totalSlots = read.integer(plan.totalSlots, 'plan.totalSlots');
  if (totalSlots !== seen.size) read.fail('plan.totalSlots', `is ${totalSlots}, but the moves hold ${seen.size} slot(s)`);
  const notes = plan.notes === undefined ? [] : read.strings(plan.notes, 'plan.notes');
  const id = read.id(plan.id, migrationPlanId(cluster, moves));
  return { kind: 'migration', id, cluster, purpose, moves, totalSlots, nodes, notes };
}
