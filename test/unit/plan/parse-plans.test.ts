import { describe, expect, it } from 'vitest';
import {
  InvalidPlanError,
  PlanClusterMismatchError,
  clusterFingerprint,
  parseCreatePlan,
  parseMigrationPlan,
  parseRehomePlan,
  parseSpreadMastersPlan,
  planCreate,
  planRehomeReplicas,
  planReshard,
  planSpreadMasters,
} from '../../../src/index';
import { validateMigrationPlan } from '../../../src/plan/migration-plan';
import { nodeId, stateOf, type FakeNode } from '../../helpers/state-builder';
import { healthyCluster, idOf, stateOf as fixtureState, type FixtureNode } from '../membership/state-fixture';

const [A, B, C, R] = ['a', 'b', 'c', 'e'].map(nodeId) as [string, string, string, string];
const cluster: FakeNode[] = [
  { id: A, port: 7000, slots: '0-5460' },
  { id: B, port: 7001, slots: '5461-10921' },
  { id: C, port: 7002, slots: '10922-16383' },
  { id: R, port: 7003, of: A },
];
const state = stateOf(cluster);
const reshard = planReshard(state, { from: [A, C], to: B, slots: 100 });

/** The InvalidPlanError a call throws (fails the test when it throws nothing or something else). */
function refusal(call: () => unknown): InvalidPlanError {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidPlanError);
    expect((error as InvalidPlanError).code).toBe('ERR_INVALID_PLAN');
    return error as InvalidPlanError;
  }
  throw new Error('expected an InvalidPlanError, nothing was thrown');
}

const edited = <T>(plan: T, edit: (copy: Record<string, any>) => void): string => {
  const copy = JSON.parse(JSON.stringify(plan)) as Record<string, any>;
  edit(copy);
  return JSON.stringify(copy);
};

describe('parseMigrationPlan', () => {
  it('reads back a stored plan, from JSON text or a parsed object, equal to the original', () => {
    expect(parseMigrationPlan(JSON.stringify(reshard))).toEqual(reshard);
    expect(parseMigrationPlan(JSON.parse(JSON.stringify(reshard)))).toEqual(reshard);
    expect(reshard.cluster).toBe(clusterFingerprint(state));
  });

  it('refuses malformed input with a typed error naming the field, not a TypeError', () => {
    expect(refusal(() => parseMigrationPlan('{"kind": "migration",')).field).toBe('plan');
    expect(refusal(() => parseMigrationPlan(null)).field).toBe('plan');
    expect(refusal(() => parseMigrationPlan({ kind: 'create' })).field).toBe('plan.kind');
    expect(refusal(() => parseMigrationPlan(edited(reshard, (p) => delete p.moves))).field).toBe('plan.moves');
    expect(refusal(() => parseMigrationPlan(edited(reshard, (p) => (p.moves[0].slots = '16384')))).field).toBe('plan.moves[0].slots');
    expect(refusal(() => parseMigrationPlan(edited(reshard, (p) => (p.moves[1].from = 'x')))).field).toBe('plan.moves[1].from');
    expect(refusal(() => parseMigrationPlan(edited(reshard, (p) => (p.purpose = 'shuffle')))).field).toBe('plan.purpose');
  });

  it('refuses a hand-edited plan: wrong id, totalSlots, counts, empty nodes, a slot moved twice', () => {
    const id = refusal(() => parseMigrationPlan(edited(reshard, (p) => (p.id = 'x'))));
    expect(id.field).toBe('plan.id');
    expect(id.message).toContain('edited');
    expect(refusal(() => parseMigrationPlan(edited(reshard, (p) => (p.totalSlots = 5)))).field).toBe('plan.totalSlots');
    expect(refusal(() => parseMigrationPlan(edited(reshard, (p) => (p.moves[0].count += 1)))).field).toBe('plan.moves[0].count');
    expect(refusal(() => parseMigrationPlan(edited(reshard, (p) => (p.nodes = {})))).field).toBe('plan.moves[0].from');
    const twice = edited(reshard, (p) => {
      p.moves[1].slots = `${p.moves[1].slots} ${p.moves[0].slots.split(' ')[0]}`;
    });
    expect(refusal(() => parseMigrationPlan(twice)).field).toMatch(/^plan\.moves\[1\]\.(slots|count)$/);
    // Moves that stay well-formed but differ from what the id was computed for are caught by the id.
    const swapped = edited(reshard, (p) => {
      p.moves[0].to = C;
      p.moves[0].from = B;
      p.nodes[B] = '127.0.0.1:7001';
    });
    expect(refusal(() => parseMigrationPlan(swapped)).field).toBe('plan.id');
  });

  it('refuses, at execution, a plan made for another cluster (another membership)', () => {
    const other = stateOf(cluster.map((node) => ({ ...node, id: node.id.replace(/^a/, 'f') })));
    expect(() => validateMigrationPlan(reshard, other)).toThrow(PlanClusterMismatchError);
    const grown = stateOf([...cluster, { id: nodeId('d'), port: 7004 }]);
    const error = (() => {
      try {
        validateMigrationPlan(reshard, grown);
      } catch (caught) {
        return caught as PlanClusterMismatchError;
      }
      return undefined;
    })();
    expect(error?.code).toBe('ERR_PLAN_OTHER_CLUSTER');
    expect(error?.actual).toBe(clusterFingerprint(grown));
    expect(validateMigrationPlan(reshard, state)).toHaveLength(reshard.moves.length);
  });
});

describe('parseCreatePlan, parseRehomePlan, parseSpreadMastersPlan', () => {
  const nodes = Array.from({ length: 6 }, (_, i) => ({ host: `10.0.0.${(i % 3) + 1}`, port: 7000 + i }));
  const create = planCreate(nodes, { replicasPerMaster: 1 });

  it('reads back every plan kind unchanged', () => {
    expect(parseCreatePlan(JSON.stringify(create))).toEqual(create);
    const rehome = planRehomeReplicas(fixtureState([...healthyCluster().map((n) => (n.name === 'e' ? { ...n, flag: 'fail' as const } : n)), { name: 'g', host: '10.0.0.3', role: 'replica', of: 'a' }]));
    expect(rehome.moves).toHaveLength(1);
    expect(parseRehomePlan(JSON.stringify(rehome))).toEqual(rehome);
    const piled: FixtureNode[] = healthyCluster().map((n) => (n.role === 'master' ? { ...n, host: '10.0.0.1' } : { ...n, host: n.name === 'd' ? '10.0.0.2' : '10.0.0.3' }));
    const spread = planSpreadMasters(fixtureState(piled));
    expect(spread.steps.length).toBeGreaterThan(0);
    expect(parseSpreadMastersPlan(JSON.stringify(spread))).toEqual(spread);
  });

  it('refuses an edited create plan: slots not covered, a replica of no master, anti-affinity lies, wrong id', () => {
    expect(refusal(() => parseCreatePlan(edited(create, (p) => (p.masters[0].slots = '0-5459')))).field).toBe('plan.masters[0].slotCount');
    expect(refusal(() => parseCreatePlan(edited(create, (p) => (p.replicas[0].of = '10.9.9.9:7000')))).field).toBe('plan.replicas[0].of');
    expect(refusal(() => parseCreatePlan(edited(create, (p) => (p.antiAffinity = !p.antiAffinity)))).field).toBe('plan.antiAffinity');
    expect(refusal(() => parseCreatePlan(edited(create, (p) => p.masters.pop()))).field).toBe('plan.masters');
    const swapped = edited(create, (p) => {
      [p.replicas[0].address, p.replicas[1].address] = [p.replicas[1].address, p.replicas[0].address];
      [p.replicas[0].host, p.replicas[1].host] = [p.replicas[1].host, p.replicas[0].host];
    });
    expect(refusal(() => parseCreatePlan(swapped)).field).toMatch(/^plan\.(id|antiAffinity)$/);
  });

  it('refuses edited rehome and spread plans by field', () => {
    const rehome = planRehomeReplicas(fixtureState(healthyCluster()));
    expect(refusal(() => parseRehomePlan(edited(rehome, (p) => (p.minReplicas = 0)))).field).toBe('plan.minReplicas');
    expect(refusal(() => parseRehomePlan(edited(rehome, (p) => (p.cluster = 'elsewhere')))).field).toBe('plan.id');
    const spread = planSpreadMasters(fixtureState(healthyCluster()));
    expect(refusal(() => parseSpreadMastersPlan(edited(spread, (p) => (p.steps = [{ replicaId: idOf('d') }])))).field).toBe('plan.steps[0].masterId');
    expect(refusal(() => parseSpreadMastersPlan(edited(spread, (p) => (p.before = { h: -1 })))).field).toBe('plan.before.h');
  });
});
