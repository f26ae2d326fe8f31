import { digest } from './cluster-fingerprint';
import { PlanReader } from './plan-reader';
import type { GoneReplica, RehomeMove, RehomePlan } from './rehome-plan';

/** The id of a rehome plan: a digest of its cluster fingerprint, minReplicas and moves, in order. */
export function rehomePlanId(cluster: string, minReplicas: number, moves: readonly RehomeMove[]): string {
  return digest([cluster, minReplicas, moves.map((move) => [move.replicaId, move.fromMasterId, move.toMasterId])]);
}

/**
 * Pure: reads a rehome plan (planRehomeReplicas) from JSON text or a parsed object, checks every
 * field, that no replica moves twice, and that `id` is the digest of the plan. Returns a fresh
 * copy; throws InvalidPlanError naming the field. The cluster is checked at execution.
 */
export function parseRehomePlan(input: unknown): RehomePlan {
  const read = new PlanReader('rehome-replicas');
  const plan = read.root(input);
  const cluster = read.string(plan.cluster, 'plan.cluster');
  const minReplicas = read.integer(plan.minReplicas, 'plan.minReplicas', 1);
  const replicas = new Set<string>();
  const moves: RehomeMove[] = read.array(plan.moves, 'plan.moves').map((value, index) => {
    const field = `plan.moves[${index}]`;
    const move = read.object(value, field);
    const replicaId = read.nodeId(move.replicaId, `${field}.replicaId`);
    if (replicas.has(replicaId)) read.fail(`${field}.replicaId`, `(${replicaId}) moves twice`);
    replicas.add(replicaId);
    const fromMasterId = read.nodeId(move.fromMasterId, `${field}.fromMasterId`);
    const toMasterId = read.nodeId(move.toMasterId, `${field}.toMasterId`);
    if (fromMasterId === toMasterId) read.fail(`${field}.toMasterId`, 'is the master the replica already follows');
    return {
      replicaId,
      replicaAddress: read.address(move.replicaAddress, `${field}.replicaAddress`),
      fromMasterId,
      toMasterId,
      toMasterAddress: read.address(move.toMasterAddress, `${field}.toMasterAddress`),
      sameHost: read.boolean(move.sameHost, `${field}.sameHost`),
    };
  });
  const unserved = read.array(plan.unserved, 'plan.unserved').map((value, index) => {
    const field = `plan.unserved[${index}]`;
    const entry = read.object(value, field);
    return { masterId: read.nodeId(entry.masterId, `${field}.masterId`), address: read.address(entry.address, `${field}.address`), missing: read.integer(entry.missing, `${field}.missing`, 1) };
  });
  const gone: GoneReplica[] = (plan.gone === undefined ? [] : read.array(plan.gone, 'plan.gone')).map((value, index) => {
    const field = `plan.gone[${index}]`;
    const entry = read.object(value, field);
    const reason = read.string(entry.reason, `${field}.reason`);
    if (reason !== 'unreachable' && reason !== 'link-down') return read.fail(`${field}.reason`, `("${reason}") is not 'unreachable' or 'link-down'`);
    return {
      replicaId: read.nodeId(entry.replicaId, `${field}.replicaId`),
      address: read.address(entry.address, `${field}.address`),
      masterId: read.nodeId(entry.masterId, `${field}.masterId`),
      reason,
    };
  });
  const id = read.id(plan.id, rehomePlanId(cluster, minReplicas, moves));
  return { kind: 'rehome-replicas', id, cluster, minReplicas, moves, unserved, gone };
}
