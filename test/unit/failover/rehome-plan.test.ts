import { describe, expect, it } from 'vitest';
import { ClusterState, InvalidArgumentError, parseClusterNodes, planRehomeReplicas } from '../../../src/index';
import { randomInt, seededRandom } from '../../helpers/random';
import { healthyCluster, idOf, stateOf, type FixtureNode } from '../membership/state-fixture';

describe('planRehomeReplicas', () => {
  it('plans nothing for a cluster where every master has a replica', () => {
    expect(planRehomeReplicas(stateOf(healthyCluster()))).toMatchObject({ kind: 'rehome-replicas', minReplicas: 1, moves: [], unserved: [], gone: [] });
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

  it("gives away the donor's replica that is not on the receiving master's host, choosing donor replica and target together", () => {
    const nodes: FixtureNode[] = [
      ...healthyCluster().map((n) => (n.name === 'f' ? { ...n, flag: 'fail' as const } : n)),
      // c (host 3) lost f. a (host 1) has d (host 2) and g (host 3): g would land on c's host, d does not.
      { name: 'g', host: '10.0.0.3', role: 'replica', of: 'a' },
    ];
    const plan = planRehomeReplicas(stateOf(nodes));
    expect(plan.moves.map((m) => [m.replicaId, m.fromMasterId, m.toMasterId, m.sameHost])).toEqual([[idOf('d'), idOf('a'), idOf('c'), false]]);
  });

  it('counts a replica that does not answer as gone at once, before the cluster flags it fail', () => {
    const nodes: FixtureNode[] = [
      // e (b's replica) was just killed: nobody flags it yet, but it does not answer.
      ...healthyCluster().map((n) => (n.name === 'e' ? { ...n, down: true } : n)),
      { name: 'g', host: '10.0.0.3', role: 'replica', of: 'a' },
    ];
    const plan = planRehomeReplicas(stateOf(nodes));
    expect(plan.gone).toEqual([{ replicaId: idOf('e'), address: expect.stringMatching(/^10\.0\.0\.3:/), masterId: idOf('b'), reason: 'unreachable' }]);
    expect(plan.moves.map((m) => [m.replicaId, m.toMasterId])).toEqual([[idOf('g'), idOf('b')]]);
  });

  it('judges a replica that does not answer by what most views say, when one view still lists it as the master it was at creation', () => {
    const nodes = healthyCluster().map((n) => (n.name === 'e' ? { ...n, down: true } : n));
    const fresh = stateOf([...nodes, { name: 'g', host: '10.0.0.3', role: 'replica', of: 'a' }]);
    // The view of g (the newest node) never heard from e since e was created as a master.
    const views = fresh.views.map((view) =>
      view.nodeId !== idOf('g')
        ? view
        : {
            ...view,
            nodes: parseClusterNodes(
              view.nodes
                .map((line) => (line.id === idOf('e') ? `${line.id} ${line.address}@${line.cport} master - 0 0 5 connected` : `${line.id} ${line.address}@${line.cport} ${line.flags.join(',')} ${line.masterId ?? '-'} 0 0 ${line.configEpoch} connected ${line.slots.toString()}`.trim()))
                .join('\n'),
            ),
          },
    );
    const plan = planRehomeReplicas(new ClusterState(views));
    expect(plan.gone.map((g) => [g.replicaId, g.masterId, g.reason])).toEqual([[idOf('e'), idOf('b'), 'unreachable']]);
    expect(plan.moves.map((m) => [m.replicaId, m.toMasterId])).toEqual([[idOf('g'), idOf('b')]]);
  });

  it('counts a replica whose master link is down as gone', () => {
    const nodes: FixtureNode[] = [...healthyCluster(), { name: 'g', host: '10.0.0.3', role: 'replica', of: 'a' }];
    const plan = planRehomeReplicas(stateOf(nodes), { linkDown: [idOf('e')] });
    expect(plan.gone.map((g) => [g.replicaId, g.reason])).toEqual([[idOf('e'), 'link-down']]);
    expect(plan.moves.map((m) => [m.replicaId, m.toMasterId])).toEqual([[idOf('g'), idOf('b')]]);
    expect(planRehomeReplicas(stateOf(nodes)).moves).toEqual([]);
  });

  it('property: matches an exhaustive search over every donor replica and every target: most moves, then fewest replicas on their master\'s host', () => {
    const random = seededRandom(11);
    for (let round = 0; round < 300; round++) {
      const hosts = randomInt(random, 1, 4);
      const masterCount = randomInt(random, 2, 4);
      const minReplicas = random() < 0.25 ? 2 : 1;
      const nodes: FixtureNode[] = [];
      for (let m = 0; m < masterCount; m++) {
        const empty = random() < 0.2;
        nodes.push({ name: `m${m}`, host: `10.0.0.${randomInt(random, 1, hosts)}`, role: 'master', ...(empty ? {} : { slots: `${m * 100}-${m * 100 + 99}` }) });
      }
      const replicaCount = randomInt(random, 0, 7);
      for (let r = 0; r < replicaCount; r++) {
        const roll = random();
        nodes.push({
          name: `r${r}`,
          host: `10.0.0.${randomInt(random, 1, hosts)}`,
          role: 'replica',
          of: `m${randomInt(random, 0, masterCount - 1)}`,
          ...(roll < 0.1 ? { flag: 'fail' as const } : roll < 0.15 ? { flag: 'fail?' as const, down: true } : roll < 0.2 ? { down: true } : roll < 0.25 ? { flag: 'fail?' as const } : {}),
        });
      }
      const state = stateOf(nodes);
      const plan = planRehomeReplicas(state, { minReplicas });

      // The model, computed independently: working = not flagged fail and answering.
      const hostOf = (id: string): string => state.node(id)?.host as string;
      const working = (id: string): string[] => state.replicasOf(id).filter((r) => !r.failed && r.reachable).map((r) => r.id);
      const owners = state.masters.filter((m) => m.slots.size > 0);
      const need = new Map(owners.map((m) => [m.id, Math.max(0, minReplicas - working(m.id).length)]));
      const spare = new Map(state.masters.map((m) => [m.id, working(m.id).filter((id) => state.node(id)?.suspected === false).length - (m.slots.size > 0 ? minReplicas : 0)]));
      const movable = state.masters.flatMap((m) => working(m.id).filter((id) => state.node(id)?.suspected === false).map((id) => ({ id, from: m.id })));
      const targets = owners.filter((m) => (need.get(m.id) ?? 0) > 0).map((m) => m.id);

      // Exhaustive oracle: every replica stays or goes to any target, within the donors' spares and the targets' needs.
      let best = { moves: 0, cost: 0 };
      const given = new Map<string, number>();
      const taken = new Map<string, number>();
      const search = (index: number, moves: number, cost: number): void => {
        if (index === movable.length) {
          if (moves > best.moves || (moves === best.moves && cost < best.cost)) best = { moves, cost };
          return;
        }
        search(index + 1, moves, cost);
        const { id, from } = movable[index] as { id: string; from: string };
        if ((given.get(from) ?? 0) >= (spare.get(from) ?? 0)) return;
        for (const to of targets) {
          if ((taken.get(to) ?? 0) >= (need.get(to) ?? 0)) continue;
          given.set(from, (given.get(from) ?? 0) + 1);
          taken.set(to, (taken.get(to) ?? 0) + 1);
          search(index + 1, moves + 1, cost + Number(hostOf(id) === hostOf(to)) - Number(hostOf(id) === hostOf(from)));
          given.set(from, (given.get(from) ?? 0) - 1);
          taken.set(to, (taken.get(to) ?? 0) - 1);
        }
      };
      search(0, 0, 0);

      // The plan is valid...
      expect(new Set(plan.moves.map((m) => m.replicaId)).size).toBe(plan.moves.length);
      for (const move of plan.moves) {
        expect(movable).toContainEqual({ id: move.replicaId, from: move.fromMasterId });
        expect(targets).toContain(move.toMasterId);
        expect(move.sameHost).toBe(hostOf(move.replicaId) === hostOf(move.toMasterId));
      }
      for (const [id, count] of spare) expect(plan.moves.filter((m) => m.fromMasterId === id).length).toBeLessThanOrEqual(Math.max(0, count));
      for (const id of targets) expect(plan.moves.filter((m) => m.toMasterId === id).length).toBeLessThanOrEqual(need.get(id) ?? 0);
      // ... and as good as the best of all choices.
      const cost = plan.moves.reduce((sum, m) => sum + Number(hostOf(m.replicaId) === hostOf(m.toMasterId)) - Number(hostOf(m.replicaId) === hostOf(m.fromMasterId)), 0);
      expect({ moves: plan.moves.length, cost }).toEqual(best);
      expect(plan.unserved.reduce((sum, u) => sum + u.missing, 0)).toBe(targets.reduce((sum, id) => sum + (need.get(id) ?? 0), 0) - plan.moves.length);
    }
  });
});
