import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, planRehomeReplicas } from '../../../src/index';
import { randomInt, seededRandom } from '../../helpers/random';
import { healthyCluster, idOf, stateOf, type FixtureNode } from '../membership/state-fixture';

describe('planRehomeReplicas', () => {
  it('plans nothing for a cluster where every master has a replica', () => {
    expect(planRehomeReplicas(stateOf(healthyCluster()))).toMatchObject({ kind: 'rehome-replicas', minReplicas: 1, moves: [], unserved: [] });
  });

  it("gives a master whose replica failed a spare replica from a master that has two, off the target's host", () => {
    const nodes: FixtureNode[] = [
      ...healthyCluster().map((n) => (n.name === 'e' ? { ...n, flag: 'fail' as const } : n)),
      // a has two replicas: d on host 2 and g on host 3; b (host 2) lost e.
      { name: 'g', host: '10.0.0.3', role: 'replica', of: 'a' },
    ];
    const plan = planRehomeReplicas(stateOf(nodes));
    expect(plan.moves).toEqual([
      { replicaId: idOf('g'), replicaAddress: expect.stringMatching(/^10\.0\.0\.3:/), fromMasterId: idOf('a'), toMasterId: idOf('b'), toMasterAddress: expect.any(String), sameHost: false },
    ]);
    expect(plan.unserved).toEqual([]);
  });

  it('keeps for the donor the replica on another host than the donor', () => {
    const nodes: FixtureNode[] = [
      ...healthyCluster().map((n) => (n.name === 'f' ? { ...n, flag: 'fail' as const } : n)),
      // a (host 1) has d (host 2) and g (host 1): g, on a's own host, is the one to give away.
      { name: 'g', host: '10.0.0.1', role: 'replica', of: 'a' },
    ];
    const plan = planRehomeReplicas(stateOf(nodes));
    expect(plan.moves.map((m) => [m.replicaId, m.toMasterId, m.sameHost])).toEqual([[idOf('g'), idOf('c'), false]]);
  });

  it('gives away every replica of an empty master, and reports masters it could not serve', () => {
    const nodes: FixtureNode[] = [
      ...healthyCluster().filter((n) => n.name !== 'd' && n.name !== 'e'),
      { name: 'g', host: '10.0.0.4', role: 'master' },
      { name: 'h', host: '10.0.0.3', role: 'replica', of: 'g' },
    ];
    const plan = planRehomeReplicas(stateOf(nodes));
    expect(plan.moves).toHaveLength(1);
    expect(plan.moves[0]).toMatchObject({ replicaId: idOf('h'), fromMasterId: idOf('g'), toMasterId: idOf('a'), sameHost: false });
    expect(plan.unserved).toEqual([{ masterId: idOf('b'), address: expect.any(String), missing: 1 }]);
  });

  it('never moves a replica we cannot reach or that someone suspects', () => {
    const nodes: FixtureNode[] = [
      ...healthyCluster().map((n) => (n.name === 'e' ? { ...n, flag: 'fail' as const } : n)),
      { name: 'g', host: '10.0.0.3', role: 'replica', of: 'a', flag: 'fail?', down: true },
    ];
    expect(planRehomeReplicas(stateOf(nodes)).moves).toEqual([]);
  });

  it('refuses minReplicas below 1', () => {
    expect(() => planRehomeReplicas(stateOf(healthyCluster()), { minReplicas: 0 })).toThrow(InvalidArgumentError);
  });

  it('is deterministic and does not mutate the state', () => {
    const nodes: FixtureNode[] = [...healthyCluster().map((n) => (n.name === 'e' ? { ...n, flag: 'fail' as const } : n)), { name: 'g', host: '10.0.0.3', role: 'replica', of: 'a' }];
    const state = stateOf(nodes);
    const before = JSON.stringify(state);
    expect(planRehomeReplicas(state)).toEqual(planRehomeReplicas(state));
    expect(JSON.stringify(state)).toBe(before);
  });

  it('property: serves as many masters as spares allow, keeps donors at minReplicas, and uses a same-host placement only when no other matching exists', () => {
    const random = seededRandom(11);
    for (let round = 0; round < 250; round++) {
      const hosts = randomInt(random, 1, 4);
      const masterCount = randomInt(random, 2, 5);
      const nodes: FixtureNode[] = [];
      for (let m = 0; m < masterCount; m++) {
        const empty = random() < 0.2;
        nodes.push({ name: `m${m}`, host: `10.0.0.${randomInt(random, 1, hosts)}`, role: 'master', ...(empty ? {} : { slots: `${m * 100}-${m * 100 + 99}` }) });
      }
      const replicaCount = randomInt(random, 0, 9);
      for (let r = 0; r < replicaCount; r++) {
        const roll = random();
        nodes.push({
          name: `r${r}`,
          host: `10.0.0.${randomInt(random, 1, hosts)}`,
          role: 'replica',
          of: `m${randomInt(random, 0, masterCount - 1)}`,
          ...(roll < 0.15 ? { flag: 'fail' as const } : roll < 0.2 ? { flag: 'fail?' as const, down: true } : {}),
        });
      }
      const state = stateOf(nodes);
      const plan = planRehomeReplicas(state);

      const working = (id: string): string[] => state.replicasOf(id).filter((r) => !r.failed).map((r) => r.id);
      const needy = state.masters.filter((m) => m.slots.size > 0 && working(m.id).length === 0);
      const spares = state.masters.flatMap((m) => {
        // The policy under test: a donor keeps its healthy replicas on other hosts first.
        const healthy = working(m.id)
          .filter((id) => state.node(id)?.reachable === true && state.node(id)?.suspected === false)
          .sort((x, y) => Number(state.node(x)?.host === m.host) - Number(state.node(y)?.host === m.host) || (x < y ? -1 : 1));
        return healthy.slice(m.slots.size > 0 ? 1 : 0).map((id) => ({ id, from: m.id }));
      });
      expect(plan.moves.length).toBe(Math.min(needy.length, spares.length));
      expect(new Set(plan.moves.map((m) => m.replicaId)).size).toBe(plan.moves.length);
      expect(new Set(plan.moves.map((m) => m.toMasterId)).size).toBe(plan.moves.length);
      for (const move of plan.moves) {
        expect(needy.map((m) => m.id)).toContain(move.toMasterId);
        expect(state.node(move.replicaId)?.masterId).toBe(move.fromMasterId);
        expect(move.sameHost).toBe(state.node(move.replicaId)?.host === state.node(move.toMasterId)?.host);
      }
      for (const master of state.masters.filter((m) => m.slots.size > 0 && working(m.id).length > 0)) {
        const left = working(master.id).filter((id) => !plan.moves.some((move) => move.replicaId === id));
        expect(left.length).toBeGreaterThanOrEqual(1);
      }
      // Oracle: the largest number of (spare, needy) pairs on different hosts, by exhaustive search over the same spares.
      const hostOf = (id: string): string => state.node(id)?.host as string;
      const bestOffHost = (seat: number, used: Set<string>): number => {
        if (seat >= needy.length) return 0;
        let best = bestOffHost(seat + 1, used);
        for (const spare of spares) {
          if (used.has(spare.id) || hostOf(spare.id) === hostOf((needy[seat] as { id: string }).id)) continue;
          used.add(spare.id);
          best = Math.max(best, 1 + bestOffHost(seat + 1, used));
          used.delete(spare.id);
        }
        return best;
      };
      expect(plan.moves.filter((m) => !m.sameHost).length).toBe(bestOffHost(0, new Set()));
    }
  });
});
