import { assertPlanCluster } from '../plan/cluster-fingerprint';
import { parseRehomePlan } from '../plan/parse-rehome-plan';
import { planRehomeReplicas, type RehomeMove, type RehomePlan } from '../plan/rehome-plan';
import { workingReplicasOf } from '../plan/replica-target';
import { replicate } from '../topology/membership/replicate';
import type { TopologyContext } from '../topology/topology-context';
import { throwIfAborted } from '../util/abort';
import { assertSignal, type RehomeOptions } from './failover-options';

export interface RehomeResult {
  plan: RehomePlan;
  /** Moves done (every node agrees on the replica's new master). */
  moved: RehomeMove[];
  /** Moves not needed any more when their turn came (e.g. Redis's own replica migration did it). */
  skipped: (RehomeMove & { reason: string })[];
  elapsedMs: number;
}

/** Plans rehomeReplicas from a fresh snapshot (pure planner, planRehomeReplicas). */
export async function planRehome(context: TopologyContext, options: RehomeOptions = {}): Promise<RehomePlan> {
  return planRehomeReplicas(await context.refresh(), options.minReplicas === undefined ? {} : { minReplicas: options.minReplicas });
}

/**
 * Walks a rehome plan: before each move re-checks that the replica still follows its old master
 * and the target still lacks replicas (Redis may have migrated one itself), then
 * topology.replicate(), which waits until every node agrees.
 */
export async function executeRehome(context: TopologyContext, input: RehomePlan, options: RehomeOptions = {}): Promise<RehomeResult> {
  const plan = parseRehomePlan(input);
  assertSignal(options.signal);
  assertPlanCluster(plan.kind, plan.cluster, await context.refresh(), plan.moves.flatMap((move) => [move.replicaId, move.toMasterId]));
  const started = Date.now();
  const wait = { ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }), ...(options.signal === undefined ? {} : { signal: options.signal }) };
  const moved: RehomeMove[] = [];
  const skipped: RehomeResult['skipped'] = [];
  for (const move of plan.moves) {
    throwIfAborted(options.signal, 'rehomeReplicas');
    const state = await context.refresh();
    const replica = state.node(move.replicaId);
    const target = state.node(move.toMasterId);
    if (replica === undefined || replica.role !== 'replica' || replica.masterId !== move.fromMasterId) {
      skipped.push({ ...move, reason: 'the replica no longer follows the master it was planned from' });
      continue;
    }
    if (target === undefined || target.role !== 'master' || target.failed) {
      skipped.push({ ...move, reason: 'the target is no longer a working master' });
      continue;
    }
    if (workingReplicasOf(state, target.id).length >= plan.minReplicas) {
      skipped.push({ ...move, reason: 'the target already has enough replicas' });
      continue;
    }
    await replicate(context, move.replicaId, move.toMasterId, wait);
    moved.push(move);
  }
  return { plan, moved, skipped, elapsedMs: Date.now() - started };
}
