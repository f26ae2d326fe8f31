import { describe, expect, it } from 'vitest';
import { chooseReplicaMaster } from '../../../src/index';
import { randomInt, seededRandom } from '../../helpers/random';
import { healthyCluster, idOf, stateOf, type FixtureNode } from './state-fixture';

describe('chooseReplicaMaster (addNode without `of`)', () => {
  it('picks the master with the fewest replicas among those on another host', () => {
    const nodes: FixtureNode[] = [...healthyCluster(), { name: 'g', host: '10.0.0.1', role: 'replica', of: 'b' }];
    // a (host 1) has 1 replica, b (host 2) has 2, c (host 3) has 1; a candidate on host 1 must avoid a.
    const choice = chooseReplicaMaster(stateOf(nodes), '10.0.0.1');
    expect(choice).toMatchObject({ masterId: idOf('c'), sameHost: false, replicas: 1 });
  });

  it('prefers another host over fewer replicas (anti-affinity first)', () => {
    const nodes: FixtureNode[] = [
      { name: 'a', host: '10.0.0.1', role: 'master', slots: '0-8191' },
      { name: 'b', host: '10.0.0.2', role: 'master', slots: '8192-16383' },
      { name: 'c', host: '10.0.0.3', role: 'replica', of: 'b' },
      { name: 'd', host: '10.0.0.3', role: 'replica', of: 'b' },
    ];
    // a has no replica but shares host 10.0.0.1 with the candidate; b has two on another host.
    expect(chooseReplicaMaster(stateOf(nodes), '10.0.0.1')?.masterId).toBe(idOf('b'));
    expect(chooseReplicaMaster(stateOf(nodes), '10.0.0.9')?.masterId).toBe(idOf('a'));
  });

  it('takes a master on the same host only when every eligible master is there, and says so', () => {
    const nodes: FixtureNode[] = [
      { name: 'a', host: '10.0.0.1', role: 'master', slots: '0-16383' },
      { name: 'b', host: '10.0.0.2', role: 'master', slots: '', flag: 'fail' },
    ];
    const choice = chooseReplicaMaster(stateOf(nodes), '10.0.0.1');
    expect(choice).toMatchObject({ masterId: idOf('a'), sameHost: true });
    expect(choice?.reason).toContain('10.0.0.1');
  });

  it('prefers masters that serve slots over empty ones, and never picks failed or excluded masters', () => {
    const nodes: FixtureNode[] = [
      ...healthyCluster(),
      { name: 'g', host: '10.0.0.4', role: 'master' },
      { name: 'h', host: '10.0.0.4', role: 'replica', of: 'a' },
      { name: 'i', host: '10.0.0.1', role: 'replica', of: 'b' },
      { name: 'j', host: '10.0.0.2', role: 'replica', of: 'c' },
    ];
    // Every slot owner has 2 replicas, the empty master g has none: slot owners still come first.
    expect(chooseReplicaMaster(stateOf(nodes), '10.0.0.9')?.masterId).toBe(idOf('a'));
    expect(chooseReplicaMaster(stateOf(nodes), '10.0.0.9', { exclude: [idOf('a'), idOf('b'), idOf('c')] })?.masterId).toBe(idOf('g'));
    const failed = nodes.map((n) => (n.name === 'a' ? { ...n, flag: 'fail' as const } : n));
    expect(chooseReplicaMaster(stateOf(failed), '10.0.0.9')?.masterId).not.toBe(idOf('a'));
  });

  it('counts only working replicas (a failed replica leaves its master needing one)', () => {
    const nodes = healthyCluster().map((n) => (n.name === 'e' ? { ...n, flag: 'fail' as const } : n));
    expect(chooseReplicaMaster(stateOf(nodes), '10.0.0.1')?.masterId).toBe(idOf('b'));
  });

  it('returns undefined when no master is eligible', () => {
    expect(chooseReplicaMaster(stateOf(healthyCluster()), '10.0.0.1', { exclude: ['a', 'b', 'c'].map(idOf) })).toBeUndefined();
  });

  it('property: never picks a same-host master when another eligible one exists; among those, one with the fewest replicas', () => {
    const random = seededRandom(4);
    for (let round = 0; round < 300; round++) {
      const hosts = randomInt(random, 1, 4);
      const masters = randomInt(random, 1, 5);
      const nodes: FixtureNode[] = [];
      for (let m = 0; m < masters; m++) {
        nodes.push({ name: String.fromCharCode(97 + m), host: `10.0.0.${randomInt(random, 1, hosts)}`, role: 'master', slots: `${m * 100}-${m * 100 + 99}`, ...(random() < 0.15 ? { flag: 'fail' as const } : {}) });
      }
      const replicas = randomInt(random, 0, 8);
      for (let r = 0; r < replicas; r++) {
        nodes.push({ name: String.fromCharCode(107 + r), host: `10.0.0.${randomInt(random, 1, hosts)}`, role: 'replica', of: String.fromCharCode(97 + randomInt(random, 0, masters - 1)) });
      }
      const candidateHost = `10.0.0.${randomInt(random, 1, hosts)}`;
      const state = stateOf(nodes);
      const choice = chooseReplicaMaster(state, candidateHost);
      const eligible = state.masters.filter((m) => !m.failed);
      if (eligible.length === 0) {
        expect(choice).toBeUndefined();
        continue;
      }
      const offHost = eligible.filter((m) => m.host !== candidateHost);
      const pool = offHost.length > 0 ? offHost : eligible;
      const working = (id: string): number => state.replicasOf(id).filter((r) => !r.failed).length;
      const fewest = Math.min(...pool.map((m) => working(m.id)));
      expect(choice).toBeDefined();
      expect(pool.map((m) => m.id)).toContain(choice?.masterId);
      expect(choice?.sameHost).toBe(offHost.length === 0);
      expect(working(choice?.masterId as string)).toBe(fewest);
    }
  });
});
