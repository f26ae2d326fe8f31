import { describe, expect, it } from 'vitest';
import { SLOT_COUNT, planFix, type FixPlan, type FixStep } from '../../../src/index';
import { randomInt, seededRandom } from '../../helpers/random';
import { clusterOf, id, keysOf, type SpecNode } from './fix-cluster-builder';
import { simulate } from './fix-simulator';

const [A, B, C, D] = ['a', 'b', 'c', 'd'].map(id) as [string, string, string, string];
const three: Record<string, string> = { '0-5460': 'a', '5461-10922': 'b', '10923-16383': 'c' };
const masters: SpecNode[] = [{ name: 'a', epoch: 1 }, { name: 'b', epoch: 2 }, { name: 'c', epoch: 3 }];

/** Plans, then checks the plan runs against the server-rules model and leaves every slot clean with its keys on the owner. */
function planAndRun(nodes: SpecNode[], owners: Record<string, string>, counts: Record<string, Record<number, number>>, tables: Record<string, Record<string, string | null>> = {}): FixPlan {
  const state = clusterOf(nodes, owners, tables);
  const evidence = keysOf(counts);
  const plan = planFix(state, evidence);
  const end = simulate(state, evidence.keys, plan);
  for (const decision of plan.decisions) {
    const total = Object.values(decision.keys).reduce((sum, n) => sum + n, 0);
    for (const [nodeId, node] of end) {
      expect(node.table[decision.slot], `slot ${decision.slot} in ${nodeId.slice(0, 4)}'s table`).toBe(decision.owner);
      expect(node.migrating.has(decision.slot) || node.importing.has(decision.slot)).toBe(false);
      if (nodeId !== decision.owner) expect(node.keys.get(decision.slot) ?? 0).toBe(0);
    }
    expect(end.get(decision.owner)?.keys.get(decision.slot) ?? 0).toBe(total);
  }
  const sum = (per: Iterable<Map<number, number>>): number => [...per].reduce((n, keys) => n + [...keys.values()].reduce((a, b) => a + b, 0), 0);
  expect(sum([...end.values()].map((node) => node.keys)), 'keys before and after').toBe(
    Object.values(evidence.keys).reduce((n, slots) => n + Object.values(slots).reduce((a, b) => a + b, 0), 0),
  );
  expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  return plan;
}

const stepsOf = (plan: FixPlan, slot: number): FixStep[] => [
  ...plan.settle.flat().filter((s) => 'slot' in s && s.slot === slot),
  ...(plan.moves.find((m) => m.slot === slot)?.steps ?? []),
];
const describeStep = (s: FixStep): string =>
  s.op === 'bump-epoch' ? `bump ${s.node[0]}` : s.op === 'move-keys' ? `move ${s.from[0]}>${s.to[0]}` : `${s.node[0]} ${s.state}${'peer' in s ? ` ${s.peer[0]}` : ''}`;

describe('planFix', () => {
  it('leaves a clean cluster alone: no decisions, no steps, a stable id', () => {
    const plan = planFix(clusterOf(masters, three), keysOf({ a: { 5: 3 } }));
    expect(plan.decisions).toEqual([]);
    expect([...plan.settle, ...plan.finish, ...plan.moves]).toEqual([]);
    expect(planFix(clusterOf(masters, three), keysOf({ a: { 5: 3 } })).id).toBe(plan.id);
  });

  it('owner MIGRATING and target IMPORTING with keys on both: finishes the move to the target, draining the owner before the target claims', () => {
    const nodes = [{ name: 'a', epoch: 1, marks: ['100->b'] }, { name: 'b', epoch: 2, marks: ['100<-a'] }, { name: 'c', epoch: 3 }];
    const plan = planAndRun(nodes, three, { a: { 100: 4 }, b: { 100: 6 } });
    expect(plan.decisions).toEqual([{ slot: 100, owner: B, action: 'finished-migration', cause: 'open-slot', keys: { [A]: 4, [B]: 6 }, wasOpen: true }]);
    expect(stepsOf(plan, 100).map(describeStep)).toEqual(['move a>b', 'b STABLE', 'b NODE b', 'a NODE b', 'a STABLE', 'c NODE b']);
    expect(plan.finish).toEqual([[{ op: 'bump-epoch', node: B }]]);
  });

  it('every owner ends with the greatest epoch, bumped one at a time: a stale table elsewhere cannot win the slot back', () => {
    const plan = planAndRun(masters, three, { a: { 7: 2, 6000: 1 }, c: { 7: 3 } }, { c: { '6000': 'c' } });
    expect(plan.finish).toEqual([[{ op: 'bump-epoch', node: A }], [{ op: 'bump-epoch', node: C }]]);
  });

  it('a holder with keys of an IMPORTING slot it sees unbound: it learns the owner before MIGRATE, then gives its keys', () => {
    // a failed; its replica d took its slots; b was importing 100 from a and now maps 100 to nobody.
    const nodes: SpecNode[] = [{ name: 'a', failed: true, epoch: 1 }, { name: 'b', epoch: 2, marks: ['100<-a'] }, { name: 'c', epoch: 3 }, { name: 'd', epoch: 4 }];
    const plan = planAndRun(nodes, { '0-5460': 'd', '5461-10922': 'b', '10923-16383': 'c' }, { b: { 100: 5 }, d: { 100: 7 } }, { b: { '100': null } });
    expect(plan.decisions[0]).toMatchObject({ slot: 100, owner: D, action: 'kept-owner', cause: 'importing-without-owner' });
    expect(stepsOf(plan, 100).map(describeStep)).toEqual(['b NODE d', 'b IMPORTING d', 'move b>d', 'b STABLE']);
  });

  it('owner MIGRATING towards a failed node while a promoted replica holds moved keys: the mark is closed before keys come back', () => {
    const nodes: SpecNode[] = [{ name: 'a', epoch: 1, marks: ['100->b'] }, { name: 'b', failed: true, epoch: 2 }, { name: 'c', epoch: 3 }, { name: 'd', epoch: 5 }];
    const plan = planAndRun(nodes, { '0-5460': 'a', '5461-10922': 'd', '10923-16383': 'c' }, { a: { 100: 3 }, d: { 100: 9 } });
    expect(plan.decisions[0]).toMatchObject({ slot: 100, owner: A, action: 'kept-owner', cause: 'migrating-to-failed-node' });
    expect(plan.settle[0]).toContainEqual({ op: 'setslot', node: A, slot: 100, state: 'STABLE' });
    expect(plan.moves).toEqual([{ slot: 100, steps: expect.arrayContaining([{ op: 'move-keys', slot: 100, from: D, to: A }]) }]);
  });

  it('owner MIGRATING towards a node that became a replica: cancelled, the owner keeps the slot', () => {
    const nodes: SpecNode[] = [{ name: 'a', epoch: 1, marks: ['100->b'] }, { name: 'b', of: 'd', epoch: 2 }, { name: 'c', epoch: 3 }, { name: 'd', epoch: 5 }];
    const plan = planAndRun(nodes, { '0-5460': 'a', '5461-10922': 'd', '10923-16383': 'c' }, { a: { 100: 3 } });
    expect(plan.decisions[0]).toMatchObject({ slot: 100, owner: A, action: 'kept-owner', cause: 'migrating-to-replica' });
    expect(plan.moves).toEqual([]);
  });

  it('keys of a slot on a master that does not own it (a promoted replica): gathered at the owner', () => {
    const plan = planAndRun(masters, three, { a: { 7: 2 }, c: { 7: 3 } });
    expect(plan.decisions).toEqual([{ slot: 7, owner: A, action: 'kept-owner', cause: 'stray-keys', keys: { [A]: 2, [C]: 3 }, wasOpen: false }]);
    expect(stepsOf(plan, 7).map(describeStep)).toEqual(['c IMPORTING a', 'move c>a', 'c STABLE']);
  });

  it('two masters claim a slot: the greater config epoch wins; the loser is drained (MIGRATING) before it is told', () => {
    const plan = planAndRun(masters, three, { a: { 100: 4 }, b: { 100: 1 } }, { b: { '100': 'b' } });
    expect(plan.decisions[0]).toMatchObject({ slot: 100, owner: B, action: 'owner-by-epoch', cause: 'multiple-claimants' });
    expect(stepsOf(plan, 100).map(describeStep)).toEqual(['a MIGRATING b', 'move a>b', 'a NODE b', 'a STABLE', 'c NODE b']);
    expect(plan.finish).toEqual([[{ op: 'bump-epoch', node: B }]]);
  });

  it('two claimants with the same epoch: the smaller node id wins, as Redis settles collisions', () => {
    const nodes = [{ name: 'a', epoch: 7 }, { name: 'b', epoch: 7 }, { name: 'c', epoch: 3 }];
    const plan = planAndRun(nodes, three, {}, { b: { '100': 'b' } });
    expect(plan.decisions[0]).toMatchObject({ slot: 100, owner: A, action: 'owner-by-epoch' });
  });

  it('nobody claims a slot while the tables map it (b says c, c says b): the mapped master with the greater epoch takes it', () => {
    const nodes = [{ name: 'a', epoch: 1 }, { name: 'b', epoch: 2, marks: ['6000<-c'] }, { name: 'c', epoch: 3, marks: ['6000<-b'] }];
    const plan = planAndRun(nodes, three, { b: { 6000: 2 }, c: { 6000: 1 } }, { b: { '6000': 'c' }, c: { '6000': 'b' }, a: { '6000': 'b' } });
    expect(plan.decisions[0]).toMatchObject({ slot: 6000, owner: C, action: 'claimed-mapped', cause: 'unclaimed-mapped' });
    expect(plan.settle[1]).toContainEqual({ op: 'setslot', node: C, slot: 6000, state: 'NODE', peer: C });
    expect(stepsOf(plan, 6000).filter((s) => s.op === 'move-keys')).toEqual([{ op: 'move-keys', slot: 6000, from: B, to: C }]);
  });

  it('uncovered slots with keys go to the master holding most of them, before any key moves; empty ones to the emptiest masters', () => {
    const owners = { '0-5460': 'a', '5461-10922': 'b', '10924-16383': 'c' };
    const plan = planAndRun(masters, owners, { b: { 10923: 2 }, c: { 10923: 5 } }, {});
    expect(plan.decisions[0]).toMatchObject({ slot: 10923, owner: C, action: 'assigned-to-key-holder', cause: 'uncovered' });
    expect(plan.settle[1]).toContainEqual({ op: 'setslot', node: C, slot: 10923, state: 'NODE', peer: C });
    const empty = planAndRun(masters, { '0-5460': 'a', '5461-10922': 'b', '10923-16000': 'c' }, {});
    expect(empty.decisions.every((d) => d.action === 'assigned-empty')).toBe(true);
    // c serves the fewest slots (5078 against 5461 and 5462): it takes the 383 empty ones.
    expect(new Set(empty.decisions.map((d) => d.owner))).toEqual(new Set([C]));
    expect(empty.decisions).toHaveLength(383);
  });

  it('leaves a slot whose table names a failed master that nobody replaced, and says why', () => {
    const nodes: SpecNode[] = [{ name: 'a', epoch: 1 }, { name: 'b', failed: true, epoch: 2 }, { name: 'c', epoch: 3 }];
    const plan = planFix(clusterOf(nodes, three), keysOf({}));
    expect(plan.decisions).toEqual([]);
    expect(plan.unresolved).toEqual([{ slots: '5461-10922', reason: expect.stringContaining('(failed)') }]);
  });

  it('property: random crash states plan into steps every server accepts, ending clean with every key at its owner', () => {
    const random = seededRandom(20261125);
    for (let round = 0; round < 25; round++) {
      const names = ['a', 'b', 'c', 'd'];
      const nodes: SpecNode[] = names.map((name, i) => ({ name, epoch: randomInt(random, 1, 6) + i * 0 }));
      const slots = [100, 6000, 12000];
      const owners: Record<string, string> = { '0-99': 'a', '101-5999': 'b', '6001-11999': 'c', '12001-16383': 'd' };
      const tables: Record<string, Record<string, string | null>> = {};
      const counts: Record<string, Record<number, number>> = {};
      for (const slot of slots) {
        const pick = (): string => names[randomInt(random, 0, names.length - 1)] as string;
        owners[String(slot)] = pick();
        for (const name of names) {
          const roll = random();
          if (roll < 0.15) (tables[name] ??= {})[String(slot)] = null;
          else if (roll < 0.35) (tables[name] ??= {})[String(slot)] = pick();
          if (random() < 0.4) (counts[name] ??= {})[slot] = randomInt(random, 1, 9);
          if (random() < 0.3) {
            const node = nodes.find((n) => n.name === name) as SpecNode;
            const peer = pick();
            if (peer !== name) node.marks = [...(node.marks ?? []).filter((m) => !m.startsWith(`${slot}`)), `${slot}${random() < 0.5 ? '->' : '<-'}${peer}`];
          }
        }
      }
      const plan = planAndRun(nodes, owners, counts, tables);
      expect(plan.decisions.every((d) => d.slot >= 0 && d.slot < SLOT_COUNT)).toBe(true);
    }
  });
});
