import { describe, expect, it } from 'vitest';
import { planSpreadMasters } from '../../../src/index';
import { randomInt, seededRandom } from '../../helpers/random';
import { healthyCluster, idOf, stateOf, type FixtureNode } from '../membership/state-fixture';

/** Three masters piled on host 1 (after failovers), each with its replica on another host. */
function piledUp(): FixtureNode[] {
  return [
    { name: 'a', host: '10.0.0.1', role: 'master', slots: '0-5460' },
    { name: 'b', host: '10.0.0.1', role: 'master', slots: '5461-10922' },
    { name: 'c', host: '10.0.0.1', role: 'master', slots: '10923-16383' },
    { name: 'd', host: '10.0.0.2', role: 'replica', of: 'a' },
    { name: 'e', host: '10.0.0.3', role: 'replica', of: 'b' },
    { name: 'f', host: '10.0.0.2', role: 'replica', of: 'c' },
  ];
}

describe('planSpreadMasters', () => {
  it('plans nothing when masters are already spread', () => {
    const plan = planSpreadMasters(stateOf(healthyCluster()));
    expect(plan.steps).toEqual([]);
    expect(plan.balanced).toBe(true);
    expect(plan.before).toEqual({ '10.0.0.1': 1, '10.0.0.2': 1, '10.0.0.3': 1 });
  });

  it('fails over to replicas on the emptier hosts until each host has one master', () => {
    const plan = planSpreadMasters(stateOf(piledUp()));
    expect(plan.before).toEqual({ '10.0.0.1': 3, '10.0.0.2': 0, '10.0.0.3': 0 });
    expect(plan.after).toEqual({ '10.0.0.1': 1, '10.0.0.2': 1, '10.0.0.3': 1 });
    expect(plan.balanced).toBe(true);
    expect(plan.steps).toHaveLength(2);
    expect(plan.steps.map((s) => s.toHost).sort()).toEqual(['10.0.0.2', '10.0.0.3']);
    expect(plan.steps.every((s) => s.fromHost === '10.0.0.1')).toBe(true);
    expect(plan.steps.map((s) => s.replicaId)).toContain(idOf('e'));
  });

  it('says when the replicas do not allow a balanced spread', () => {
    const nodes = piledUp().map((n) => (n.role === 'replica' ? { ...n, host: '10.0.0.2' } : n));
    const plan = planSpreadMasters(stateOf([...nodes, { name: 'g', host: '10.0.0.3', role: 'replica', of: 'a', flag: 'fail' as const }]));
    // Host 3 only has a failed node: it is not a host to spread to. Host 2 gets one master.
    expect(plan.after).toEqual({ '10.0.0.1': 2, '10.0.0.2': 1 });
    expect(plan.balanced).toBe(true);
    const unreachable = planSpreadMasters(stateOf(piledUp().map((n) => (n.role === 'replica' ? { ...n, flag: 'fail?' as const, down: true } : n))));
    expect(unreachable.steps).toEqual([]);
    expect(unreachable.balanced).toBe(false);
  });

  it('is deterministic and does not mutate the state', () => {
    const state = stateOf(piledUp());
    const before = JSON.stringify(state);
    expect(planSpreadMasters(state)).toEqual(planSpreadMasters(state));
    expect(JSON.stringify(state)).toBe(before);
  });

  it('finds a layout that needs two failovers, each narrowing a gap by one: A = {M1, M2}, B = {M3, R1, R2}, C = {R3}', () => {
    const nodes: FixtureNode[] = [
      { name: 'M1', host: 'A', role: 'master', slots: '0-5460' },
      { name: 'M2', host: 'A', role: 'master', slots: '5461-10922' },
      { name: 'M3', host: 'B', role: 'master', slots: '10923-16383' },
      { name: 'R1', host: 'B', role: 'replica', of: 'M1' },
      { name: 'R2', host: 'B', role: 'replica', of: 'M2' },
      { name: 'R3', host: 'C', role: 'replica', of: 'M3' },
    ];
    const plan = planSpreadMasters(stateOf(nodes));
    expect(plan.before).toEqual({ A: 2, B: 1, C: 0 });
    expect(plan.after).toEqual({ A: 1, B: 1, C: 1 });
    expect(plan.balanced).toBe(true);
    // M3 over to C first (B would otherwise hold two masters for a while), then M1 or M2 over to B.
    expect(plan.steps).toHaveLength(2);
    expect(plan.steps[0]).toMatchObject({ masterId: idOf('M3'), replicaId: idOf('R3'), fromHost: 'B', toHost: 'C' });
    expect([
      [idOf('M1'), idOf('R1')],
      [idOf('M2'), idOf('R2')],
    ]).toContainEqual([plan.steps[1]!.masterId, plan.steps[1]!.replicaId]);
    expect(plan.steps[1]).toMatchObject({ fromHost: 'A', toHost: 'B' });
  });

  it('property: matches an exhaustive search over every reachable layout (most even, then fewest failovers, then fewest replicas on their master\'s host)', () => {
    const random = seededRandom(23);
    for (let round = 0; round < 300; round++) {
      const hosts = randomInt(random, 1, 4);
      const masters = randomInt(random, 1, 5);
      const nodes: FixtureNode[] = [];
      for (let m = 0; m < masters; m++) nodes.push({ name: `m${m}`, host: `10.0.0.${randomInt(random, 1, hosts)}`, role: 'master', slots: `${m * 10}-${m * 10 + 9}`, ...(random() < 0.08 ? { flag: 'fail?' as const } : {}) });
      const replicas = randomInt(random, 0, 8);
      for (let r = 0; r < replicas; r++) {
        const roll = random();
        nodes.push({
          name: `r${r}`,
          host: `10.0.0.${randomInt(random, 1, hosts)}`,
          role: 'replica',
          of: `m${randomInt(random, 0, masters - 1)}`,
          ...(roll < 0.1 ? { flag: 'fail' as const } : roll < 0.15 ? { down: true } : {}),
        });
      }
      const state = stateOf(nodes);
      const plan = planSpreadMasters(state);

      // Independent model: each shard ends with its master or one answering, unsuspected replica (when its master is too).
      const live = state.nodes.filter((n) => !n.failed);
      const hostList = [...new Set(live.map((n) => n.host))];
      const shards = live
        .filter((n) => n.role === 'master' && n.slots.size > 0)
        .map((master) => {
          const members = [master, ...live.filter((n) => n.role === 'replica' && n.masterId === master.id)];
          const ok = (n: (typeof live)[number]): boolean => n.reachable && !n.suspected;
          return { master, members, choices: ok(master) ? members.filter((n) => n === master || ok(n)) : [master] };
        });
      const score = (picks: (typeof live)[number][]): { spread: number; squares: number; failovers: number; sameHost: number } => {
        const counts = hostList.map((host) => picks.filter((p) => p.host === host).length);
        return {
          spread: counts.length === 0 ? 0 : Math.max(...counts) - Math.min(...counts),
          squares: counts.reduce((sum, c) => sum + c * c, 0),
          failovers: picks.filter((p, i) => p !== shards[i]!.master).length,
          sameHost: picks.reduce((sum, p, i) => sum + shards[i]!.members.filter((o) => o !== p && o.host === p.host).length, 0),
        };
      };
      let best: ReturnType<typeof score> | undefined;
      let leastSpread = Number.POSITIVE_INFINITY;
      const search = (index: number, picks: (typeof live)[number][]): void => {
        if (index === shards.length) {
          const s = score(picks);
          leastSpread = Math.min(leastSpread, s.spread);
          if (best === undefined || s.squares < best.squares || (s.squares === best.squares && (s.failovers < best.failovers || (s.failovers === best.failovers && s.sameHost < best.sameHost)))) best = s;
          return;
        }
        for (const choice of shards[index]!.choices) search(index + 1, [...picks, choice]);
      };
      search(0, []);

      // Replay the plan: each step promotes a current replica of a master that has not moved yet.
      const picks = shards.map((s) => s.master);
      for (const step of plan.steps) {
        const index = shards.findIndex((s) => s.master.id === step.masterId);
        expect(index).toBeGreaterThanOrEqual(0);
        expect(picks[index]).toBe(shards[index]!.master);
        const replica = shards[index]!.choices.find((n) => n.id === step.replicaId && n !== shards[index]!.master);
        expect(replica).toBeDefined();
        expect(step.toHost).toBe(replica!.host);
        picks[index] = replica!;
      }
      const got = score(picks);
      expect(got).toEqual(best);
      expect(got.spread).toBe(leastSpread);
      expect(plan.balanced).toBe(got.spread <= 1);
      expect(Object.values(plan.after).reduce((a, b) => a + b, 0)).toBe(shards.length);
      for (const host of hostList) expect(plan.after[host]).toBe(picks.filter((p) => p.host === host).length);
    }
  });
});
