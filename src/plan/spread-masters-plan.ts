import { ClusterState } from '../model/cluster-state';
import { clusterFingerprint } from './cluster-fingerprint';
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

interface SimNode {
  id: string;
  address: string;
  host: string;
  role: 'master' | 'replica';
  masterId: string | undefined;
  owner: boolean;
  movable: boolean;
}

/**
 * Pure: after failovers piled masters onto one host, picks replicas to fail over to so that
 * slot-serving masters spread over the hosts (no host with two more than another, when the
 * replicas allow it). Each step promotes a reachable, unsuspected replica on a host with fewer
 * masters; it prefers the move that narrows the gap most, then one that leaves no other replica
 * of that master on the new master's host, then ids. A master moves at most once. Deterministic.
 */
export function planSpreadMasters(state: ClusterState): SpreadMastersPlan {
  const nodes: SimNode[] = state.nodes
    .filter((node) => !node.failed && !node.handshake)
    .map((node) => ({
      id: node.id,
      address: node.address,
      host: ClusterState.hostOf(node),
      role: node.role,
      masterId: node.masterId,
      owner: node.role === 'master' && node.slots.size > 0,
      movable: node.reachable && !node.suspected,
    }));
  const hosts = groupByHost(nodes.map((node) => ({ address: node.address, host: node.host }))).map((group) => group.host).sort();
  const counts = (): Record<string, number> => {
    const result: Record<string, number> = Object.fromEntries(hosts.map((host) => [host, 0]));
    for (const node of nodes) if (node.owner) result[node.host] = (result[node.host] ?? 0) + 1;
    return result;
  };
  const before = counts();
  const steps: SpreadStep[] = [];
  const moved = new Set<string>();

  for (;;) {
    const current = counts();
    let best: { step: SpreadStep; gap: number; clash: number } | undefined;
    for (const master of nodes) {
      if (!master.owner || moved.has(master.id)) continue;
      const fromCount = current[master.host] ?? 0;
      const replicas = nodes.filter((node) => node.role === 'replica' && node.masterId === master.id);
      for (const replica of replicas) {
        if (!replica.movable || !master.movable) continue;
        const toCount = current[replica.host] ?? 0;
        const gap = fromCount - toCount;
        if (gap < 2) continue;
        const clash = replicas.filter((other) => other !== replica && other.host === replica.host).length;
        const step: SpreadStep = {
          replicaId: replica.id,
          replicaAddress: replica.address,
          masterId: master.id,
          masterAddress: master.address,
          fromHost: master.host,
          toHost: replica.host,
        };
        if (best === undefined || gap > best.gap || (gap === best.gap && (clash < best.clash || (clash === best.clash && compareSteps(step, best.step) < 0)))) {
          best = { step, gap, clash };
        }
      }
    }
    if (best === undefined) break;
    const { step } = best;
    steps.push(step);
    moved.add(step.masterId);
    moved.add(step.replicaId);
    // Simulate the failover: the replica becomes the master, the master and its other replicas follow it.
    for (const node of nodes) {
      if (node.id === step.replicaId) {
        node.role = 'master';
        node.masterId = undefined;
        node.owner = true;
      } else if (node.id === step.masterId) {
        node.role = 'replica';
        node.masterId = step.replicaId;
        node.owner = false;
      } else if (node.role === 'replica' && node.masterId === step.masterId) {
        node.masterId = step.replicaId;
      }
    }
  }

  const after = counts();
  const values = Object.values(after);
  const balanced = values.length === 0 || Math.max(...values) - Math.min(...values) <= 1;
  const cluster = clusterFingerprint(state);
  return { kind: 'spread-masters', id: spreadMastersPlanId(cluster, steps), cluster, steps, before, after, balanced };
}

function compareSteps(a: SpreadStep, b: SpreadStep): number {
  const left = `${a.masterId}:${a.replicaId}`;
  const right = `${b.masterId}:${b.replicaId}`;
  return left < right ? -1 : left > right ? 1 : 0;
}
