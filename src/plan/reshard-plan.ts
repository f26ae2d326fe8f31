import { InvalidArgumentError } from '../errors';
import type { ClusterState } from '../model/cluster-state';
import { SlotSet, type SlotSetInput } from '../model/slot-set';
import { buildMigrationPlan, requireMaster, type MigrationPlan } from './migration-plan';

export interface ReshardRequest {
  /** Source master id(s); `'all'` = every other master with slots. */
  from: string | readonly string[] | 'all';
  /** Target master id. */
  to: string;
  /** A count (taken from the sources in proportion to their slots), or explicit slots ("0-99 200", [5, [10, 20]]). */
  slots: number | SlotSetInput;
}

/**
 * Pure: moves `slots` to `to`. With a count, each source gives in proportion to what it owns
 * (as redis-cli reshard does), from the end of its ranges; with explicit slots, each must be
 * owned by one of the sources. Refuses bad input before anything is sent.
 */
export function planReshard(state: ClusterState, request: ReshardRequest): MigrationPlan {
  if (request === null || typeof request !== 'object') {
    throw new InvalidArgumentError('request', request, 'not a reshard request', 'Pass { from, to, slots }.');
  }
  const target = requireMaster(state, request.to, 'to');
  const sources =
    request.from === 'all'
      ? state.slotOwners.filter((node) => node.id !== target.id && !node.failed)
      : (typeof request.from === 'string' ? [request.from] : Array.isArray(request.from) ? request.from : [undefined]).map((id, i) =>
          requireMaster(state, id, typeof request.from === 'string' ? 'from' : `from[${i}]`),
        );
  if (sources.length === 0) throw new InvalidArgumentError('from', request.from, 'no source master', 'Pass at least one master id that owns slots.');
  const self = sources.find((source) => source.id === target.id);
  if (self !== undefined) throw new InvalidArgumentError('from', self.id, 'the target is also a source', 'Remove the target from the sources.');

  if (typeof request.slots === 'number') {
    const count = request.slots;
    const available = sources.reduce((sum, source) => sum + source.slots.size, 0);
    if (!Number.isInteger(count) || count <= 0 || count > available) {
      throw new InvalidArgumentError('slots', count, `not a slot count from 1 to ${available} (what the sources own)`, 'Pass a smaller count or more sources.');
    }
    const owned = sources.map((source) => source.slots.size);
    const shares = proportionalShares(owned, count, owned);
    const moves = sources.map((source, i) => ({ from: source.id, to: target.id, slots: source.slots.takeLast(shares[i] as number) }));
    return buildMigrationPlan('reshard', state, moves);
  }

  const wanted = SlotSet.from(request.slots, 'slots');
  if (wanted.isEmpty) throw new InvalidArgumentError('slots', request.slots, 'no slots given', 'Pass a count or at least one slot.');
  const moves = sources.map((source) => ({ from: source.id, to: target.id, slots: source.slots.intersect(wanted) }));
  const covered = moves.reduce((all, move) => all.union(move.slots), SlotSet.EMPTY);
  const stray = wanted.subtract(covered).subtract(target.slots);
  if (!stray.isEmpty) {
    throw new InvalidArgumentError('slots', stray.toString(), 'not owned by the source(s)', `Pick slots that ${sources.map((s) => s.address).join(', ')} own, or add their owners to from.`);
  }
  const notes = wanted.intersect(target.slots).isEmpty ? [] : [`slots ${wanted.intersect(target.slots).toString()} are already on the target`];
  return buildMigrationPlan('reshard', state, moves, notes);
}

/**
 * Splits `total` over weights in proportion, largest remainders first; exact sum, deterministic.
 * `caps` bounds each share (a source cannot give more slots than it owns).
 */
export function proportionalShares(weights: readonly number[], total: number, caps?: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (sum <= 0) return weights.map(() => 0);
  const raw = weights.map((w) => (w * total) / sum);
  const shares = raw.map(Math.floor);
  let left = total - shares.reduce((a, b) => a + b, 0);
  const order = raw.map((value, index) => ({ index, rest: value - Math.floor(value) })).sort((a, b) => b.rest - a.rest || a.index - b.index);
  while (left > 0) {
    const before = left;
    for (const { index } of order) {
      if (left <= 0) break;
      if (caps !== undefined && (shares[index] as number) >= (caps[index] as number)) continue;
      shares[index] = (shares[index] as number) + 1;
      left--;
    }
    if (left === before) break;
  }
  return shares;
}
