import { createHash } from 'node:crypto';
import type { ClusterState } from '../model/cluster-state';
import { PlanClusterMismatchError } from './plan-errors';

/**
 * Pure: a short digest of the cluster's membership (the sorted ids of every full member, masters
 * and replicas). Plans carry it, and executing a plan on a cluster with another fingerprint is
 * refused: another cluster, or this one after nodes joined or left.
 */
export function clusterFingerprint(state: ClusterState): string {
  const ids = state.nodes.filter((node) => !node.handshake).map((node) => node.id).sort();
  return digest(ids);
}

/** A 16-hex-digit sha256 digest of a value's JSON form (callers pass canonical, ordered data). */
export function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

/**
 * Refuses a plan made for another cluster. `planNodeIds` are the node ids the plan names, used
 * to say which of them this cluster does not have.
 */
export function assertPlanCluster(kind: string, fingerprint: string, state: ClusterState, planNodeIds: readonly string[]): void {
  const actual = clusterFingerprint(state);
  if (fingerprint === actual) return;
  const known = new Set(state.nodes.map((node) => node.id));
  throw new PlanClusterMismatchError(kind, fingerprint, actual, [...new Set(planNodeIds)].filter((id) => !known.has(id)));
}
