import { ClusterState, type ClusterNode } from '../model/cluster-state';
import { clusterFingerprint } from './cluster-fingerprint';
import { FlowNetwork } from './min-cost-flow';
import { spreadMastersPlanId } from './parse-spread-masters-plan';
import { groupByHost } from './replica-placement';

/** One manual failover: `replicaId` (on `toHost`) takes over from `masterId` (on `fromHost`). */
export interface SpreadStep {
  replicaId: string;
  replicaAddress: string;
  masterId: string;
  masterAddress: string;
  fromHost: string;
  toHost: string;
}

/** A serializable plan: failovers that spread slot-serving masters evenly over hosts. */
export interface SpreadMastersPlan {
  kind: 'spread-masters';
  /** Digest of the plan (spreadMastersPlanId): parseSpreadMastersPlan() refuses an edited plan. */
  id: string;
  /** Fingerprint of the cluster the plan was made for: executing it elsewhere is refused. */
  cluster: string;
  steps: SpreadStep[];
  /** Slot-serving masters per host before and after the steps. */
  before: Record<string, number>;
  after: Record<string, number>;
  /** True when, after the steps, no host has two masters more than another. */
  balanced: boolean;
}

/** One shard: a slot-serving master and its replicas; `choices` are the members that may serve as its master. */
interface Shard {
  master: ClusterNode;
  members: ClusterNode[];
  choices: ClusterNode[];
}

/**
 * Pure: after failovers piled masters onto one host, picks the failovers that spread the
 * slot-serving masters over the hosts as evenly as the replicas allow. Each shard may end with
 * its master or any replica that answers and nobody suspects (when its master answers too: a
 * default failover needs it) serving its slots, one failover each. Over all those layouts,
 * solved exactly as one min-cost flow (shards -> hosts, convex cost per extra master on a
 * host), it picks in order: the most even spread (least sum of squares of masters per host,
 * which also gives the least max - min), then the fewest failovers, then the fewest replicas
 * left on their master's host, then ids. So it finds layouts that need several failovers, each
 * narrowing a gap by only 1 (A = {M1, M2}, B = {M3, R1, R2}, C = {R3}: M3 to C, then M1 to B).
 * Steps are ordered so that each promotes onto the host with the fewest masters at that point.
 * Deterministic.
 */
export function planSpreadMasters(state: ClusterState): SpreadMastersPlan {
  const byId = (a: ClusterNode, b: ClusterNode): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const live = state.nodes.filter((node) => !node.failed && !node.handshake);
  const hosts = groupByHost(live.map((node) => ({ address: node.address, host: ClusterState.hostOf(node) })))
    .map((group) => group.host)
    .sort();
  const movable = (node: ClusterNode): boolean => node.reachable && !node.suspected;
  const shards: Shard[] = live
    .filter((node) => node.role === 'master' && node.slots.size > 0)
    .sort(byId)
    .map((master) => {
      const replicas = live.filter((node) => node.role === 'replica' && node.masterId === master.id).sort(byId);
      return { master, members: [master, ...replicas], choices: [master, ...(movable(master) ? replicas.filter(movable) : [])] };
    });

  const chosen = chooseMasters(shards, hosts, live.length);
  const counts = (pick: (shard: Shard, index: number) => ClusterNode): Record<string, number> => {
    const result: Record<string, number> = Object.fromEntries(hosts.map((host) => [host, 0]));
    shards.forEach((shard, index) => {
      const host = ClusterState.hostOf(pick(shard, index));
      result[host] = (result[host] ?? 0) + 1;
    });
    return result;
  };
  const before = counts((shard) => shard.master);
  const after = counts((_, index) => chosen[index] as ClusterNode);

  const pending: SpreadStep[] = [];
  shards.forEach((shard, index) => {
    const replica = chosen[index] as ClusterNode;
    if (replica.id === shard.master.id) return;
    pending.push({
      replicaId: replica.id,
      replicaAddress: replica.address,
      masterId: shard.master.id,
      masterAddress: shard.master.address,
      fromHost: ClusterState.hostOf(shard.master),
      toHost: ClusterState.hostOf(replica),
    });
  });
  // Order: promote onto the host with the fewest masters now, from the one with the most.
  const current = { ...before };
  const steps: SpreadStep[] = [];
  while (pending.length > 0) {
    pending.sort(
      (a, b) =>
        (current[a.toHost] ?? 0) - (current[b.toHost] ?? 0) ||
        (current[b.fromHost] ?? 0) - (current[a.fromHost] ?? 0) ||
        compareSteps(a, b),
    );
    const step = pending.shift() as SpreadStep;
    current[step.fromHost] = (current[step.fromHost] ?? 0) - 1;
    current[step.toHost] = (current[step.toHost] ?? 0) + 1;
    steps.push(step);
  }

  const values = Object.values(after);
  const balanced = values.length === 0 || Math.max(...values) - Math.min(...values) <= 1;
  const cluster = clusterFingerprint(state);
  return { kind: 'spread-masters', id: spreadMastersPlanId(cluster, steps), cluster, steps, before, after, balanced };
}

/** The member of each shard that should serve its slots (min-cost flow; see planSpreadMasters). */
function chooseMasters(shards: readonly Shard[], hosts: readonly string[], nodeCount: number): ClusterNode[] {
  if (shards.length === 0) return [];
  // Weights make the objective lexicographic: sum of squares, then failovers, then same-host replicas.
  const failoverWeight = nodeCount + 1;
  const squareWeight = failoverWeight * (shards.length + 1) + 1;
  // Nodes: 0 source, 1 sink, then shards, then hosts.
  const network = new FlowNetwork(2 + shards.length + hosts.length);
  const hostNode = (host: string): number => 2 + shards.length + hosts.indexOf(host);
  const edges: { edge: number; shard: number; member: ClusterNode }[] = [];
  shards.forEach((shard, index) => {
    network.addEdge(0, 2 + index, 1, 0);
    // Per host, the best member there: the current master, else the one leaving the fewest of the shard on its host.
    const best = new Map<string, { member: ClusterNode; cost: number }>();
    for (const member of shard.choices) {
      const host = ClusterState.hostOf(member);
      const sameHost = shard.members.filter((other) => other !== member && ClusterState.hostOf(other) === host).length;
      const cost = (member === shard.master ? 0 : failoverWeight) + sameHost;
      const known = best.get(host);
      if (known === undefined || cost < known.cost) best.set(host, { member, cost });
    }
    for (const host of hosts) {
      const entry = best.get(host);
      if (entry !== undefined) edges.push({ edge: network.addEdge(2 + index, hostNode(host), 1, entry.cost), shard: index, member: entry.member });
    }
  });
  // The k-th master on a host costs 2k - 1 squared units: the sum over a host is its count squared.
  for (const host of hosts) {
    for (let k = 1; k <= shards.length; k++) network.addEdge(hostNode(host), 1, 1, squareWeight * (2 * k - 1));
  }
  network.minCostMaxFlow(0, 1);
  const chosen = shards.map((shard) => shard.master);
  for (const entry of edges) if (network.flowOn(entry.edge) > 0) chosen[entry.shard] = entry.member;
  return chosen;
}

function compareSteps(a: SpreadStep, b: SpreadStep): number {
  const left = `${a.masterId}:${a.replicaId}`;
  const right = `${b.masterId}:${b.replicaId}`;
  return left < right ? -1 : left > right ? 1 : 0;
}
