import { assertPlanCluster } from '../plan/cluster-fingerprint';
import { parseSpreadMastersPlan } from '../plan/parse-spread-masters-plan';
import { planSpreadMasters, type SpreadMastersPlan, type SpreadStep } from '../plan/spread-masters-plan';
import type { TopologyContext } from '../topology/topology-context';
import { throwIfAborted } from '../util/abort';
import type { FailoverResult } from './manual-failover';

export interface SpreadResult {
  plan: SpreadMastersPlan;
  /** Failovers done, in order. */
  failovers: FailoverResult[];
  /** Steps not run because the pair changed before their turn. */
  skipped: (SpreadStep & { reason: string })[];
  elapsedMs: number;
}

/** Plans spreadMasters from a fresh snapshot (pure planner, planSpreadMasters). */
export async function planSpread(context: TopologyContext): Promise<SpreadMastersPlan> {
  return planSpreadMasters(await context.refresh());
}

/**
 * Walks a spread plan, one default-mode failover at a time (no acknowledged write lost), each
 * re-checked against a fresh snapshot first.
 */
export async function executeSpread(
  context: TopologyContext,
  input: SpreadMastersPlan,
  failover: (replicaId: string, masterId: string) => Promise<FailoverResult>,
  signal?: AbortSignal,
): Promise<SpreadResult> {
  const plan = parseSpreadMastersPlan(input);
  assertPlanCluster(plan.kind, plan.cluster, await context.refresh(), plan.steps.flatMap((step) => [step.replicaId, step.masterId]));
  const started = Date.now();
  const failovers: FailoverResult[] = [];
  const skipped: SpreadResult['skipped'] = [];
  for (const step of plan.steps) {
    throwIfAborted(signal, 'spreadMasters');
    const state = await context.refresh();
    const replica = state.node(step.replicaId);
    if (replica === undefined || replica.role !== 'replica' || replica.masterId !== step.masterId || !replica.reachable) {
      skipped.push({ ...step, reason: 'the replica no longer follows that master, or does not answer' });
      continue;
    }
    failovers.push(await failover(step.replicaId, step.masterId));
  }
  return { plan, failovers, skipped, elapsedMs: Date.now() - started };
}
