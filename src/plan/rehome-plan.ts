import { InvalidArgumentError } from '../errors';
import { ClusterState, type ClusterNode } from '../model/cluster-state';
import { clusterFingerprint } from './cluster-fingerprint';
import { rehomePlanId } from './parse-rehome-plan';
import { FlowNetwork } from './min-cost-flow';
import { workingReplicasOf } from './replica-target';

export interface RehomePlanOptions {
  /**
   * Working replicas every slot-serving master should have.
   * @defaultValue 1
   */
  minReplicas?: number;
  /**
   * Replicas whose replication link to their master is down (INFO replication
   * `master_link_status:down`, no sync in progress): counted as gone, like replicas that do not
   * answer, without waiting for the cluster to flag them fail. planRehome() reads them.
   */
  linkDown?: readonly string[];
}

/** A replica the plan counts as gone although the cluster has not flagged it fail (yet). */
export interface GoneReplica {
  replicaId: string;
  address: string;
  masterId: string;
  reason: 'unreachable' | 'link-down';
}

/** One CLUSTER REPLICATE to run: `replicaId` leaves `fromMasterId` for `toMasterId`. */
export interface RehomeMove {
  replicaId: string;
  replicaAddress: string;
  fromMasterId: string;
  toMasterId: string;
  toMasterAddress: string;
  /** True when the replica lands on its new master's host (no other choice of spare replica fitted). */
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
  /** Replicas counted as gone before the cluster flags them fail: they do not answer, or their master link is down. */
  gone: GoneReplica[];
}

/**
 * Pure: masters that serve slots and have fewer than `minReplicas` working replicas get one
 * from a master that has spare ones. A replica counts as working unless the cluster flags it
 * fail, it does not answer us, or its master link is down (`linkDown`): right after a replica
 * dies its master needs a new one, long before the fail flag. A slot-serving donor keeps
 * `minReplicas` healthy replicas; an empty master's replicas are all spare. Only reachable
 * replicas that nobody suspects move.
 *
 * Which replica leaves which donor and which master it joins are chosen together, as one
 * min-cost flow (donors -> their healthy replicas -> masters in need): first as many moves as
 * the spares allow, then the fewest replicas sharing their master's host afterwards (a move
 * costs 1 when the replica lands on its new master's host and saves 1 when it leaves its own
 * master's host), then input order (ids). Deterministic.
 */
export function planRehomeReplicas(state: ClusterState, options: RehomePlanOptions = {}): RehomePlan {
  const minReplicas = options.minReplicas ?? 1;
  if (!Number.isInteger(minReplicas) || minReplicas < 1) {
    throw new InvalidArgumentError('minReplicas', minReplicas, 'not a whole number >= 1', 'Pass 1 (one replica per master, as the runbook asks) or more.');
  }
  if (options.linkDown !== undefined && !Array.isArray(options.linkDown)) {
    throw new InvalidArgumentError('linkDown', options.linkDown, 'not an array of replica ids', 'Pass the ids of replicas whose master link is down, or leave it out.');
  }
  const byId = (a: ClusterNode, b: ClusterNode): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const masters = [...state.masters].filter((master) => !master.failed).sort(byId);
  const gone = goneReplicas(state, new Set(options.linkDown ?? []));
  const goneIds = new Set(gone.map((entry) => entry.replicaId));
  const working = (masterId: string): ClusterNode[] => workingReplicasOf(state, masterId, goneIds);

  const needs = new Map<string, number>();
  for (const master of masters) {
    if (master.slots.size === 0) continue;
    const missing = minReplicas - working(master.id).length;
    if (missing > 0) needs.set(master.id, missing);
  }
  const donors = masters
    .map((master) => {
      const healthy = working(master.id).filter((replica) => !replica.suspected).sort(byId);
      return { master, healthy, spare: healthy.length - (master.slots.size > 0 ? minReplicas : 0) };
    })
    .filter((donor) => donor.spare > 0);

  const moves: RehomeMove[] = [];
  const filled = new Map<string, number>();
  const needy = masters.filter((master) => needs.has(master.id));
  if (needy.length > 0 && donors.length > 0) {
    // Nodes: 0 source, 1 sink, then donors, their replicas, needy masters.
    const replicas = donors.flatMap((donor) => donor.healthy.map((replica) => ({ replica, donor })));
    const network = new FlowNetwork(2 + donors.length + replicas.length + needy.length);
    const donorNode = (index: number): number => 2 + index;
    const replicaNode = (index: number): number => 2 + donors.length + index;
    const needyNode = (index: number): number => 2 + donors.length + replicas.length + index;
    donors.forEach((donor, index) => network.addEdge(0, donorNode(index), donor.spare, 0));
    const choices: { edge: number; replica: ClusterNode; from: ClusterNode; to: ClusterNode }[] = [];
    replicas.forEach(({ replica, donor }, index) => {
      network.addEdge(donorNode(donors.indexOf(donor)), replicaNode(index), 1, 0);
      const host = ClusterState.hostOf(replica);
      const leavesOwnHost = host === ClusterState.hostOf(donor.master) ? 1 : 0;
      needy.forEach((master, m) => {
        const landsOnHost = host === ClusterState.hostOf(master) ? 1 : 0;
        choices.push({ edge: network.addEdge(replicaNode(index), needyNode(m), 1, landsOnHost - leavesOwnHost), replica, from: donor.master, to: master });
      });
    });
    needy.forEach((master, m) => network.addEdge(needyNode(m), 1, needs.get(master.id) as number, 0));
    network.minCostMaxFlow(0, 1);
    for (const choice of choices) {
      if (network.flowOn(choice.edge) === 0) continue;
      filled.set(choice.to.id, (filled.get(choice.to.id) ?? 0) + 1);
      moves.push({
        replicaId: choice.replica.id,
        replicaAddress: choice.replica.address,
        fromMasterId: choice.from.id,
        toMasterId: choice.to.id,
        toMasterAddress: choice.to.address,
        sameHost: ClusterState.hostOf(choice.replica) === ClusterState.hostOf(choice.to),
      });
    }
  }

  const unserved = [...needs]
    .map(([masterId, missing]) => ({ masterId, address: state.node(masterId)?.address ?? '', missing: missing - (filled.get(masterId) ?? 0) }))
    .filter((entry) => entry.missing > 0);
  const cluster = clusterFingerprint(state);
  return { kind: 'rehome-replicas', id: rehomePlanId(cluster, minReplicas, moves), cluster, minReplicas, moves, unserved, gone };
}

/**
 * Replicas not flagged fail that we count as gone: they do not answer, or their master link is
 * down. A node that does not answer is judged by what most views say of it: a view that has not
 * heard from it since it joined may still list it as the master it was when created.
 */
function goneReplicas(state: ClusterState, linkDown: ReadonlySet<string>): GoneReplica[] {
  const result: GoneReplica[] = [];
  for (const node of state.nodes) {
    if (node.failed || node.handshake) continue;
    let masterId = node.role === 'replica' ? node.masterId : undefined;
    if (!node.reachable) {
      const lines = state.views.flatMap((view) => view.nodes.filter((line) => line.id === node.id));
      const replicaLines = lines.filter((line) => line.role === 'replica' && line.masterId !== undefined);
      if (replicaLines.length * 2 > lines.length) {
        const votes = new Map<string, number>();
        for (const line of replicaLines) votes.set(line.masterId as string, (votes.get(line.masterId as string) ?? 0) + 1);
        masterId = [...votes].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
      }
    }
    if (masterId === undefined) continue;
    const reason = !node.reachable ? 'unreachable' : linkDown.has(node.id) ? 'link-down' : undefined;
    if (reason !== undefined) result.push({ replicaId: node.id, address: node.address, masterId, reason });
  }
  return result;
}
