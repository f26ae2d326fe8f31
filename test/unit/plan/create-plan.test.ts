import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, SLOT_COUNT, SlotSet, planCreate, type NodeAddress } from '../../../src/index';
import { randomInt, seededRandom } from '../../helpers/random';

const nodesOn = (hosts: string[], perHost: number[]): NodeAddress[] =>
  hosts.flatMap((host, h) => Array.from({ length: perHost[h] ?? 0 }, (_, i) => ({ host, port: 7000 + i })));

/**
 * Independent oracle by exhaustive search (small inputs only): is there any choice of masters and
 * any assignment of `replicasPerMaster` replicas to each, with no replica on its master's host?
 */
function violationFreePlacementExists(nodes: NodeAddress[], replicasPerMaster: number): boolean {
  const masterCount = Math.floor(nodes.length / (replicasPerMaster + 1));
  const hostOf = nodes.map((n) => n.host);
  const assign = (masters: number[], free: number[], seat: number): boolean => {
    if (seat === masters.length * replicasPerMaster) return true;
    const master = masters[seat % masters.length] as number;
    return free.some((candidate, i) => hostOf[candidate] !== hostOf[master] && assign(masters, free.filter((_, j) => j !== i), seat + 1));
  };
  const choose = (start: number, masters: number[]): boolean => {
    if (masters.length === masterCount) {
      const free = nodes.map((_, i) => i).filter((i) => !masters.includes(i));
      return assign(masters, free, 0);
    }
    for (let i = start; i < nodes.length; i++) if (choose(i + 1, [...masters, i])) return true;
    return false;
  };
  return choose(0, []);
}

describe('planCreate', () => {
  it('gives 3 masters contiguous, even shares of all 16384 slots', () => {
    const plan = planCreate(nodesOn(['127.0.0.1'], [6]), { replicasPerMaster: 1 });
    expect(plan.masters.map((m) => m.slots)).toEqual(['0-5460', '5461-10921', '10922-16383']);
    expect(plan.replicas).toHaveLength(3);
  });

  it('keeps each master and its replica on different hosts over 3 hosts', () => {
    const plan = planCreate(nodesOn(['10.0.0.1', '10.0.0.2', '10.0.0.3'], [2, 2, 2]), { replicasPerMaster: 1 });
    expect(plan.antiAffinity).toBe(true);
    expect(new Set(plan.masters.map((m) => m.host)).size).toBe(3);
    for (const replica of plan.replicas) {
      expect(plan.masters.find((m) => m.address === replica.of)?.host).not.toBe(replica.host);
    }
  });

  it('says so when one host cannot avoid hosting a master with its replica', () => {
    const plan = planCreate(nodesOn(['10.0.0.1', '10.0.0.2'], [5, 1]), { replicasPerMaster: 1 });
    expect(plan.antiAffinity).toBe(false);
    expect(plan.violations.length).toBeGreaterThan(0);
    expect(plan.warnings.join(' ')).toMatch(/different hosts/);
  });

  it('refuses fewer than 3 masters, duplicates and bad counts before anything else', () => {
    expect(() => planCreate(nodesOn(['h'], [5]), { replicasPerMaster: 1 })).toThrow(/at least 3/);
    expect(() => planCreate([{ host: 'h', port: 1 }, { host: 'h', port: 1 }, { host: 'h', port: 2 }], { replicasPerMaster: 0 })).toThrow(/listed twice/);
    expect(() => planCreate(nodesOn(['h'], [6]), { replicasPerMaster: -1 })).toThrow(InvalidArgumentError);
    expect(() => planCreate([{ host: 'h', port: 70000 }, { host: 'h', port: 2 }, { host: 'h', port: 3 }], { replicasPerMaster: 0 })).toThrow(/nodes\[0\]\.port/);
  });

  it('has every slot assigned exactly once, keeps anti-affinity whenever hosts allow, and is deterministic (property)', () => {
    const random = seededRandom(7);
    for (let round = 0; round < 400; round++) {
      const hostCount = randomInt(random, 1, 4);
      const replicasPerMaster = randomInt(random, 0, 2);
      const perHost = Array.from({ length: hostCount }, () => randomInt(random, 1, round % 2 === 0 ? 3 : 5));
      const nodes = nodesOn(Array.from({ length: hostCount }, (_, h) => `10.0.0.${h + 1}`), perHost);
      if (Math.floor(nodes.length / (replicasPerMaster + 1)) < 3) continue;
      const plan = planCreate(nodes, { replicasPerMaster });

      const owned = plan.masters.map((m) => SlotSet.parse(m.slots));
      expect(owned.reduce((sum, s) => sum + s.size, 0)).toBe(SLOT_COUNT);
      expect(owned.reduce((all, s) => all.union(s), SlotSet.EMPTY).size).toBe(SLOT_COUNT);
      const sizes = owned.map((s) => s.size);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);

      expect(plan.masters.length + plan.replicas.length).toBe(nodes.length);
      for (const master of plan.masters) {
        expect(plan.replicas.filter((r) => r.of === master.address).length).toBeGreaterThanOrEqual(replicasPerMaster);
      }
      if (replicasPerMaster > 0 && nodes.length <= 9 && violationFreePlacementExists(nodes, replicasPerMaster)) {
        expect(plan.violations, JSON.stringify({ perHost, replicasPerMaster })).toEqual([]);
      }
      expect(planCreate(nodes, { replicasPerMaster })).toEqual(plan);
      expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
    }
  });
});
