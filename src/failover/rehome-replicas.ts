import { assertPlanCluster } from '../plan/cluster-fingerprint';
import { parseRehomePlan } from '../plan/parse-rehome-plan';
import type { ClusterState } from '../model/cluster-state';
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

/**
 * Plans rehomeReplicas from a fresh snapshot (pure planner, planRehomeReplicas), with each
 * reachable replica's replication link read first (INFO replication): a replica whose master
 * link is down, with no sync in progress, counts as gone at once, as one that does not answer.
 */
export async function planRehome(context: TopologyContext, options: RehomeOptions = {}): Promise<RehomePlan> {
  const state = await context.refresh();
  const linkDown = await replicasWithLinkDown(context, state);
  return planRehomeReplicas(state, { ...(options.minReplicas === undefined ? {} : { minReplicas: options.minReplicas }), linkDown });
}

/** Ids of reachable replicas whose INFO says master_link_status:down and no sync in progress (or that fail to answer INFO). */
async function replicasWithLinkDown(context: TopologyContext, state: ClusterState): Promise<string[]> {
  const replicas = state.replicas.filter((replica) => replica.reachable && !replica.failed);
  const down = await Promise.all(
    replicas.map(async (replica) => {
      const info = await context.pool
        .get(replica.address)
        .info('replication')
        .catch(() => undefined);
      if (info === undefined) return true;
      return info['role'] === 'slave' && info['master_link_status'] !== 'up' && info['master_sync_in_progress'] !== '1';
    }),
  );
  return replicas.filter((_, index) => down[index] === true).map((replica) => replica.id);
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
  const planGone = (plan.gone ?? []).map((entry) => entry.replicaId);
  for (const move of plan.moves) {
    throwIfAborted(options.signal, 'rehomeReplicas');
    const state = await context.refresh();
    // Replicas the plan counted gone stay gone; so does any that stopped answering since.
    const gone = new Set([...planGone, ...state.replicas.filter((replica) => !replica.reachable).map((replica) => replica.id)]);
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
    if (workingReplicasOf(state, target.id, gone).length >= plan.minReplicas) {
      skipped.push({ ...move, reason: 'the target already has enough replicas' });
      continue;
    }
    await replicate(context, move.replicaId, move.toMasterId, wait);
    moved.push(move);
  }
  return { plan, moved, skipped, elapsedMs: Date.now() - started };
}
