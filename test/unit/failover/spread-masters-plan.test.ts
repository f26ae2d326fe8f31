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

  it('property: every step promotes a current replica of that master onto a host with at least 2 fewer masters, and the spread never gets worse', () => {
    const random = seededRandom(23);
    for (let round = 0; round < 300; round++) {
      const hosts = randomInt(random, 1, 4);
      const masters = randomInt(random, 1, 6);
      const nodes: FixtureNode[] = [];
      for (let m = 0; m < masters; m++) nodes.push({ name: `m${m}`, host: `10.0.0.${randomInt(random, 1, hosts)}`, role: 'master', slots: `${m * 10}-${m * 10 + 9}` });
      const replicas = randomInt(random, 0, 10);
      for (let r = 0; r < replicas; r++) {
        nodes.push({ name: `r${r}`, host: `10.0.0.${randomInt(random, 1, hosts)}`, role: 'replica', of: `m${randomInt(random, 0, masters - 1)}`, ...(random() < 0.1 ? { flag: 'fail' as const } : {}) });
      }
      const state = stateOf(nodes);
      const plan = planSpreadMasters(state);

      // Replay the plan on a plain model and check each step against it.
      const role = new Map(state.nodes.map((n) => [n.id, { host: n.host, master: n.role === 'master', of: n.masterId }]));
      const count = (host: string): number => [...role.values()].filter((n) => n.master && n.host === host).length;
      for (const step of plan.steps) {
        const replica = role.get(step.replicaId);
        expect(replica?.master).toBe(false);
        expect(replica?.of).toBe(step.masterId);
        expect(count(step.fromHost) - count(step.toHost)).toBeGreaterThanOrEqual(2);
        for (const node of role.values()) if (!node.master && node.of === step.masterId) node.of = step.replicaId;
        role.set(step.replicaId, { host: step.toHost, master: true, of: undefined });
        role.set(step.masterId, { host: step.fromHost, master: false, of: step.replicaId });
      }
      const spread = (values: number[]): number => (values.length === 0 ? 0 : Math.max(...values) - Math.min(...values));
      expect(spread(Object.values(plan.after))).toBeLessThanOrEqual(spread(Object.values(plan.before)));
      expect(Object.values(plan.after).reduce((a, b) => a + b, 0)).toBe(Object.values(plan.before).reduce((a, b) => a + b, 0));
      expect(plan.balanced).toBe(spread(Object.values(plan.after)) <= 1);
      expect(new Set(plan.steps.map((s) => s.masterId)).size).toBe(plan.steps.length);
    }
  });
});
