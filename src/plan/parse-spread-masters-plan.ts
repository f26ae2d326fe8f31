import { digest } from './cluster-fingerprint';
import { PlanReader } from './plan-reader';
import type { SpreadMastersPlan, SpreadStep } from './spread-masters-plan';

/** The id of a spread plan: a digest of its cluster fingerprint and its failover steps, in order. */
export function spreadMastersPlanId(cluster: string, steps: readonly SpreadStep[]): string {
  return digest([cluster, steps.map((step) => [step.replicaId, step.masterId])]);
}

/**
 * Pure: reads a spread plan (planSpreadMasters) from JSON text or a parsed object, checks every
 * field, that no master or replica takes part in two steps, and that `id` is the digest of the
 * plan. Returns a fresh copy; throws InvalidPlanError naming the field.
 */
export function parseSpreadMastersPlan(input: unknown): SpreadMastersPlan {
  const read = new PlanReader('spread-masters');
  const plan = read.root(input);
  const cluster = read.string(plan.cluster, 'plan.cluster');
  const used = new Set<string>();
  const steps: SpreadStep[] = read.array(plan.steps, 'plan.steps').map((value, index) => {
    const field = `plan.steps[${index}]`;
    const step = read.object(value, field);
    const replicaId = read.nodeId(step.replicaId, `${field}.replicaId`);
    const masterId = read.nodeId(step.masterId, `${field}.masterId`);
    for (const [name, id] of [['replicaId', replicaId], ['masterId', masterId]] as const) {
      if (used.has(id)) read.fail(`${field}.${name}`, `(${id}) already takes part in an earlier step`);
      used.add(id);
    }
    return {
      replicaId,
      replicaAddress: read.address(step.replicaAddress, `${field}.replicaAddress`),
      masterId,
      masterAddress: read.address(step.masterAddress, `${field}.masterAddress`),
      fromHost: read.string(step.fromHost, `${field}.fromHost`),
      toHost: read.string(step.toHost, `${field}.toHost`),
    };
  });
  const before = read.countRecord(plan.before, 'plan.before');
  const after = read.countRecord(plan.after, 'plan.after');
  const balanced = read.boolean(plan.balanced, 'plan.balanced');
  const id = read.id(plan.id, spreadMastersPlanId(cluster, steps));
  return { kind: 'spread-masters', id, cluster, steps, before, after, balanced };
}
