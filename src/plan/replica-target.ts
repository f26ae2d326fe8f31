import { ClusterState, type ClusterNode } from '../model/cluster-state';

export interface ReplicaTargetOptions {
  /** Master ids that may not be chosen (e.g. the node being removed). */
  exclude?: readonly string[];
}

/** Which master a new (or orphaned) replica should follow, and why. Serializable. */
export interface ReplicaTargetChoice {
  masterId: string;
  address: string;
  host: string;
  /** Working replicas the master had before this one. */
  replicas: number;
  /** True when the replica will share the master's host (no master on another host was eligible). */
  sameHost: boolean;
  reason: string;
}

/** Replicas of `masterId` that the cluster does not flag fail (and that are not in `gone`). */
export function workingReplicasOf(state: ClusterState, masterId: string, gone: ReadonlySet<string> = new Set()): ClusterNode[] {
  return state.replicasOf(masterId).filter((replica) => !replica.failed && !replica.handshake && !gone.has(replica.id));
}

/**
 * Pure: the master a replica on `candidateHost` should follow. Ranks eligible masters (not
 * failed, not excluded) by, in order: another host than the candidate (anti-affinity), serving
 * slots (an empty master protects nothing), fewest working replicas, fewest replicas already on
 * the candidate's host, then id. Undefined when no master is eligible. Deterministic.
 */
export function chooseReplicaMaster(state: ClusterState, candidateHost: string, options: ReplicaTargetOptions = {}): ReplicaTargetChoice | undefined {
  const excluded = new Set(options.exclude ?? []);
  const ranked = state.masters
    .filter((master) => !master.failed && !excluded.has(master.id))
    .map((master) => {
      const replicas = workingReplicasOf(state, master.id);
      return {
        master,
        host: ClusterState.hostOf(master),
        replicas: replicas.length,
        onCandidateHost: replicas.filter((replica) => ClusterState.hostOf(replica) === candidateHost).length,
      };
    })
    .sort(
      (a, b) =>
        Number(a.host === candidateHost) - Number(b.host === candidateHost) ||
        Number(b.master.slots.size > 0) - Number(a.master.slots.size > 0) ||
        a.replicas - b.replicas ||
        a.onCandidateHost - b.onCandidateHost ||
        (a.master.id < b.master.id ? -1 : a.master.id > b.master.id ? 1 : 0),
    );
  const best = ranked[0];
  if (best === undefined) return undefined;
  const sameHost = best.host === candidateHost;
  return {
    masterId: best.master.id,
    address: best.master.address,
    host: best.host,
    replicas: best.replicas,
    sameHost,
    reason: sameHost
      ? `every eligible master runs on host ${candidateHost}: it has the fewest replicas (${best.replicas})`
      : `on another host (${best.host}), ${best.master.slots.size > 0 ? 'serves slots' : 'serves no slots'}, fewest replicas (${best.replicas})`,
  };
}
