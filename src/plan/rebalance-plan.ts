import { InvalidArgumentError, UnknownNodeError } from '../errors';
import type { ClusterNode, ClusterState } from '../model/cluster-state';
import { assertNodeRef } from '../model/node-id';
import { SLOT_COUNT } from '../model/key-slot';
import type { SlotSet } from '../model/slot-set';
import { buildMigrationPlan, type MigrationPlan } from './migration-plan';
import { proportionalShares } from './reshard-plan';

export interface RebalanceOptions {
  /** Weight per master id (or address); missing masters weigh 1; 0 empties a master. */
  weights?: Record<string, number>;
  /**
   * Rebalance only when some master is off its share by more than this percent (redis-cli's --cluster-threshold).
   * @defaultValue 2
   */
  threshold?: number;
  /**
   * Give slots to masters that own none (a master just added). @defaultValue false
   */
  useEmptyMasters?: boolean;
}

export const DEFAULT_REBALANCE_OPTIONS = Object.freeze({ threshold: 2, useEmptyMasters: false } as const);

/**
 * Pure: the fewest slot moves that give every master its weighted share (exact integer shares,
 * largest remainder). Only surplus slots move, each straight from a giver to a taker, so the
 * number of moved slots is the minimum possible.
 */
export function planRebalance(state: ClusterState, options: RebalanceOptions = {}): MigrationPlan {
  const threshold = options.threshold ?? DEFAULT_REBALANCE_OPTIONS.threshold;
  if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold < 0) {
    throw new InvalidArgumentError('threshold', threshold, 'not a percentage >= 0', 'Pass e.g. threshold: 2 (percent).');
  }
  const useEmpty = options.useEmptyMasters ?? DEFAULT_REBALANCE_OPTIONS.useEmptyMasters;
  const weights = resolveWeights(state, options.weights ?? {});
  const masters = state.masters
    .filter((node) => !node.failed && (node.slots.size > 0 || useEmpty || explicitlyWeighted(node, options.weights)))
    .sort((a, b) => b.slots.size - a.slots.size || (a.id < b.id ? -1 : 1)); // ties in rounding favour current holders: fewer moves
  if (masters.length === 0) return buildMigrationPlan('rebalance', state, [], ['no master to balance']);

  const covered = masters.reduce((sum, node) => sum + node.slots.size, 0);
  const shares = proportionalShares(masters.map((node) => weights.get(node.id) ?? 1), covered);
  const balance = masters.map((node, i) => ({ node, surplus: node.slots.size - (shares[i] as number), expected: shares[i] as number }));

  const worst = Math.max(...balance.map(({ surplus, expected }) => (expected === 0 ? (surplus > 0 ? Infinity : 0) : (Math.abs(surplus) / expected) * 100)));
  if (worst <= threshold) {
    return buildMigrationPlan('rebalance', state, [], [`every master is within ${threshold}% of its share (worst ${worst.toFixed(2)}%)`]);
  }

  const givers = balance.filter((b) => b.surplus > 0).sort((a, b) => b.surplus - a.surplus || (a.node.id < b.node.id ? -1 : 1));
  const takers = balance.filter((b) => b.surplus < 0).sort((a, b) => a.surplus - b.surplus || (a.node.id < b.node.id ? -1 : 1));
  const remaining = new Map<string, SlotSet>(givers.map((g) => [g.node.id, g.node.slots]));
  const moves: { from: string; to: string; slots: SlotSet }[] = [];
  let g = 0;
  for (const taker of takers) {
    let need = -taker.surplus;
    while (need > 0 && g < givers.length) {
      const giver = givers[g] as (typeof givers)[number];
      const count = Math.min(need, giver.surplus);
      const pool = remaining.get(giver.node.id) as SlotSet;
      const slots = pool.takeLast(count);
      remaining.set(giver.node.id, pool.subtract(slots));
      moves.push({ from: giver.node.id, to: taker.node.id, slots });
      giver.surplus -= count;
      need -= count;
      if (giver.surplus === 0) g++;
    }
  }
  const notes = covered < SLOT_COUNT ? [`${SLOT_COUNT - covered} slot(s) are uncovered: run fix() to assign them`] : [];
  return buildMigrationPlan('rebalance', state, moves, notes);
}

function explicitlyWeighted(node: ClusterNode, weights: Record<string, number> | undefined): boolean {
  return weights !== undefined && (weights[node.id] !== undefined || weights[node.address] !== undefined);
}

function resolveWeights(state: ClusterState, weights: Record<string, number>): Map<string, number> {
  if (weights === null || typeof weights !== 'object') {
    throw new InvalidArgumentError('weights', weights, 'not an object', 'Pass { [masterId]: weight }.');
  }
  const result = new Map<string, number>();
  for (const [key, weight] of Object.entries(weights)) {
    assertNodeRef(key, `weights.${key}`);
    const node = state.node(key);
    if (node === undefined) throw new UnknownNodeError(key, state.masters.map((m) => `${m.id.slice(0, 8)} (${m.address})`));
    if (node.role !== 'master') throw new InvalidArgumentError(`weights.${key}`, weight, `node ${node.address} is a replica`, 'Weigh masters only.');
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight < 0) {
      throw new InvalidArgumentError(`weights.${key}`, weight, 'not a weight >= 0', 'Pass a number like 1, 2 or 0 (0 empties the master).');
    }
    result.set(node.id, weight);
  }
  if (result.size > 0 && [...result.values()].every((w) => w === 0) && result.size === state.masters.length) {
    throw new InvalidArgumentError('weights', weights, 'every master weighs 0', 'Leave at least one master a positive weight.');
  }
  return result;
}
