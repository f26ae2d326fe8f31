import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, SLOT_COUNT, SlotSet, UnknownNodeError, planDrain, planRebalance, planReshard, type MigrationPlan } from '../../../src/index';
import { randomInt, seededRandom } from '../../helpers/random';
import { nodeId, stateOf, type FakeNode } from '../../helpers/state-builder';

const [A, B, C, D, R] = ['a', 'b', 'c', 'd', 'e'].map(nodeId) as [string, string, string, string, string];
const threeMasters: FakeNode[] = [
  { id: A, port: 7000, slots: '0-5460' },
  { id: B, port: 7001, slots: '5461-10921' },
  { id: C, port: 7002, slots: '10922-16383' },
  { id: R, port: 7003, of: A },
];

/** Applies a plan to a slot -> owner map, checking each move takes a slot from its owner. */
function apply(plan: MigrationPlan, owners: Map<number, string>): Map<number, string> {
  const next = new Map(owners);
  // Collected and asserted once: one expect() per slot made the property test take minutes.
  const stray: { slot: number; from: string; owner: string | undefined }[] = [];
  for (const move of plan.moves) {
    for (const slot of SlotSet.parse(move.slots)) {
      if (next.get(slot) !== move.from) stray.push({ slot, from: move.from, owner: next.get(slot) });
      next.set(slot, move.to);
    }
  }
  expect(stray, 'slots moved from a node that does not own them').toEqual([]);
  return next;
}

function ownersOf(nodes: FakeNode[]): Map<number, string> {
  const owners = new Map<number, string>();
  for (const node of nodes) for (const slot of SlotSet.parse(node.slots ?? '')) owners.set(slot, node.id);
  return owners;
}

describe('planReshard', () => {
  it('takes a count from the sources in proportion to what they own', () => {
    const plan = planReshard(stateOf(threeMasters), { from: [A, B], to: C, slots: 1000 });
    expect(plan.totalSlots).toBe(1000);
    expect(plan.moves.map((m) => [m.from, m.count])).toEqual([
      [A, 500],
      [B, 500],
    ]);
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  it('moves explicit slots from whichever source owns them', () => {
    const plan = planReshard(stateOf(threeMasters), { from: 'all', to: C, slots: '0-9 5461' });
    expect(plan.moves).toEqual([
      { from: A, to: C, slots: '0-9', count: 10 },
      { from: B, to: C, slots: '5461', count: 1 },
    ]);
  });

  it('refuses unknown ids, replicas, slots out of range or not owned, before anything is sent', () => {
    const state = stateOf(threeMasters);
    expect(() => planReshard(state, { from: 'f'.repeat(40), to: C, slots: 1 })).toThrow(UnknownNodeError);
    expect(() => planReshard(state, { from: R, to: C, slots: 1 })).toThrow(/replica/);
    expect(() => planReshard(state, { from: A, to: R, slots: 1 })).toThrow(/replica/);
    expect(() => planReshard(state, { from: A, to: C, slots: '16384' })).toThrow(InvalidArgumentError);
    expect(() => planReshard(state, { from: A, to: C, slots: '6000' })).toThrow(/not owned by the source/);
    expect(() => planReshard(state, { from: A, to: C, slots: 6000 })).toThrow(/slot count/);
    expect(() => planReshard(state, { from: [A, C], to: C, slots: 1 })).toThrow(/also a source/);
  });
});

describe('planRebalance', () => {
  it('gives an empty master its share when asked, moving only surplus slots', () => {
    const nodes = [...threeMasters, { id: D, port: 7004 }];
    const plan = planRebalance(stateOf(nodes), { useEmptyMasters: true });
    expect(plan.moves.every((m) => m.to === D)).toBe(true);
    expect(plan.totalSlots).toBe(4096);
  });

  it('ignores an empty master unless asked, and does nothing within the threshold', () => {
    expect(planRebalance(stateOf([...threeMasters, { id: D, port: 7004 }])).totalSlots).toBe(0);
    expect(planRebalance(stateOf(threeMasters)).notes[0]).toMatch(/within 2%/);
  });

  it('refuses weights for unknown nodes and negative weights', () => {
    expect(() => planRebalance(stateOf(threeMasters), { weights: { ['f'.repeat(40)]: 1 } })).toThrow(UnknownNodeError);
    expect(() => planRebalance(stateOf(threeMasters), { weights: { [A]: -1 } })).toThrow(/weight/);
    expect(() => planRebalance(stateOf(threeMasters), { threshold: -1 })).toThrow(/threshold/);
  });

  it('reaches the weighted shares with the fewest moves, deterministically, without touching its input (property)', () => {
    const random = seededRandom(11);
    for (let round = 0; round < 150; round++) {
      const count = randomInt(random, 2, 6);
      const cuts = [...new Set(Array.from({ length: count - 1 }, () => randomInt(random, 1, SLOT_COUNT - 1)))].sort((a, b) => a - b);
      const bounds = [0, ...cuts, SLOT_COUNT];
      const nodes: FakeNode[] = bounds.slice(0, -1).map((start, i) => ({ id: nodeId(String(i + 1)), port: 7000 + i, slots: `${start}-${(bounds[i + 1] as number) - 1}` }));
      nodes.push({ id: nodeId('f'), port: 7100 });
      const weights = Object.fromEntries(nodes.map((n) => [n.id, randomInt(random, 0, 3)]));
      if (Object.values(weights).every((w) => w === 0)) weights[nodes[0]!.id] = 1;
      const state = stateOf(nodes);
      const before = JSON.stringify(state.nodes);
      const plan = planRebalance(state, { weights, threshold: 0, useEmptyMasters: true });
      expect(JSON.stringify(state.nodes)).toBe(before);
      expect(planRebalance(state, { weights, threshold: 0, useEmptyMasters: true })).toEqual(plan);

      const after = apply(plan, ownersOf(nodes));
      const totalWeight = Object.values(weights).reduce((a, b) => a + b, 0);
      let surplus = 0;
      const ownedBy = new Map<string, number>();
      for (const owner of after.values()) ownedBy.set(owner, (ownedBy.get(owner) ?? 0) + 1);
      for (const node of nodes) {
        const expected = (SLOT_COUNT * (weights[node.id] ?? 0)) / totalWeight;
        const owned = ownedBy.get(node.id) ?? 0;
        expect(Math.abs(owned - expected)).toBeLessThan(1);
        surplus += Math.max(0, SlotSet.parse(node.slots ?? '').size - Math.ceil(expected));
      }
      // Minimal: no more than the slots above the (rounded-up) shares, plus at most one per master for rounding.
      expect(plan.totalSlots).toBeLessThanOrEqual(surplus + nodes.length);
      expect(after.size).toBe(SLOT_COUNT);
    }
  });
});

describe('planDrain', () => {
  it('moves every slot of a master to the others, evening them out', () => {
    const plan = planDrain(stateOf(threeMasters), A);
    expect(plan.totalSlots).toBe(5461);
    const after = apply(plan, ownersOf(threeMasters));
    expect([...after.values()].filter((o) => o === A)).toHaveLength(0);
    const b = [...after.values()].filter((o) => o === B).length;
    const c = [...after.values()].filter((o) => o === C).length;
    expect(Math.abs(b - c)).toBeLessThanOrEqual(1);
  });

  it('refuses a replica, an unknown id and the drained master as receiver', () => {
    expect(() => planDrain(stateOf(threeMasters), R)).toThrow(/replica/);
    expect(() => planDrain(stateOf(threeMasters), 'f'.repeat(40))).toThrow(UnknownNodeError);
    expect(() => planDrain(stateOf(threeMasters), A, { to: [A] })).toThrow(/also a receiver/);
  });
});
