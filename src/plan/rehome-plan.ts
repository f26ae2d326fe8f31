import { InvalidArgumentError } from '../errors';
import { ClusterState, type ClusterNode } from '../model/cluster-state';
import { clusterFingerprint } from './cluster-fingerprint';
import { rehomePlanId } from './parse-rehome-plan';
import { assignReplicas, type PlacementNode } from './replica-placement';
import { workingReplicasOf } from './replica-target';

export interface RehomePlanOptions {
  /**
   * Working replicas every slot-serving master should have.
   * @defaultValue 1
   */
  minReplicas?: number;
}

/** One CLUSTER REPLICATE to run: `replicaId` leaves `fromMasterId` for `toMasterId`. */
export interface RehomeMove {
  replicaId: string;
  replicaAddress: string;
  fromMasterId: string;
  toMasterId: string;
  toMasterAddress: string;
  /** True when the replica lands on its new master's host (no other spare replica fitted). */
  sameHost: boolean;
}

/** A serializable plan: which spare replicas move to which masters lacking replicas. */
export interface RehomePlan {
  kind: 'rehome-replicas';
  /** Digest of the plan (rehomePlanId): parseRehomePlan() refuses an edited plan. */
  id: string;
  /** Fingerprint of the cluster the plan was made for: executing it elsewhere is refused. */
  cluster: string;
  minReplicas: number;
  moves: RehomeMove[];
  /** Masters still short of replicas after the moves (no spare replica left). */
  unserved: { masterId: string; address: string; missing: number }[];
}

interface Spare extends PlacementNode {
  node: ClusterNode;
  masterId: string;
}

interface Seat extends PlacementNode {
  node: ClusterNode;
}

/**
 * Pure: masters that serve slots and have fewer than `minReplicas` working replicas get one
 * from a master that has spare ones (a slot-serving master keeps `minReplicas` healthy ones,
 * preferring those on other hosts than itself; an empty master's replicas are all spare). The
 * matching never puts a replica on its new master's host when another assignment exists
 * (assignReplicas). Only reachable replicas that nobody suspects are moved. Deterministic.
 */
export function planRehomeReplicas(state: ClusterState, options: RehomePlanOptions = {}): RehomePlan {
  const minReplicas = options.minReplicas ?? 1;
  if (!Number.isInteger(minReplicas) || minReplicas < 1) {
    throw new InvalidArgumentError('minReplicas', minReplicas, 'not a whole number >= 1', 'Pass 1 (one replica per master, as the runbook asks) or more.');
  }
  const byId = (a: ClusterNode, b: ClusterNode): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const masters = [...state.masters].filter((master) => !master.failed).sort(byId);

  const seats: Seat[] = [];
  const needs = new Map<string, number>();
  for (const master of masters) {
    if (master.slots.size === 0) continue;
    const missing = minReplicas - workingReplicasOf(state, master.id).length;
    if (missing <= 0) continue;
    needs.set(master.id, missing);
    for (let i = 0; i < missing; i++) seats.push({ node: master, address: master.address, host: ClusterState.hostOf(master) });
  }

  const spares: Spare[] = [];
  for (const master of masters) {
    const keep = master.slots.size > 0 ? minReplicas : 0;
    // Only healthy replicas (reachable, nobody suspects them) may move, and the donor keeps
    // `keep` healthy ones: first those on another host than itself, then by id.
    const healthy = workingReplicasOf(state, master.id)
      .filter((replica) => replica.reachable && !replica.suspected)
      .sort((a, b) => Number(ClusterState.hostOf(a) === ClusterState.hostOf(master)) - Number(ClusterState.hostOf(b) === ClusterState.hostOf(master)) || byId(a, b));
    for (const replica of healthy.slice(keep)) spares.push({ node: replica, masterId: master.id, address: replica.address, host: ClusterState.hostOf(replica) });
  }

  const moves: RehomeMove[] = [];
  const filled = new Map<string, number>();
  if (seats.length > 0 && spares.length > 0) {
    // Seats repeat a master once per missing replica; perMaster 1 gives each seat one candidate.
    for (const pair of assignReplicas(seats, spares, 1)) {
      const masterId = pair.master.node.id;
      const count = filled.get(masterId) ?? 0;
      if (count >= (needs.get(masterId) ?? 0) || moves.some((move) => move.replicaId === pair.replica.node.id)) continue;
      filled.set(masterId, count + 1);
      moves.push({
        replicaId: pair.replica.node.id,
        replicaAddress: pair.replica.address,
        fromMasterId: pair.replica.masterId,
        toMasterId: masterId,
        toMasterAddress: pair.master.address,
        sameHost: pair.replica.host === pair.master.host,
      });
    }
  }

  const unserved = [...needs]
    .map(([masterId, missing]) => ({ masterId, address: state.node(masterId)?.address ?? '', missing: missing - (filled.get(masterId) ?? 0) }))
    .filter((entry) => entry.missing > 0);
  const cluster = clusterFingerprint(state);
  return { kind: 'rehome-replicas', id: rehomePlanId(cluster, minReplicas, moves), cluster, minReplicas, moves, unserved };
}
