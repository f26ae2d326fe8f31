import { findDisagreements } from '../model/agreement';
import { ClusterState } from '../model/cluster-state';
import { SLOT_COUNT } from '../model/key-slot';
import { selfLine } from '../model/node-view';
import { SlotSet } from '../model/slot-set';
import { nodeTimeoutOutliers, type NodeTimeoutReading } from './node-timeout-rules';

/** Stable codes of the problems check() reports. */
export type ProblemCode =
  | 'config-disagreement'
  | 'open-slot'
  | 'uncovered-slots'
  | 'slot-multiple-owners'
  | 'node-unreachable'
  | 'node-failed'
  | 'node-suspected'
  | 'node-handshake'
  | 'cluster-state-fail'
  | 'master-without-replica'
  | 'replica-same-host'
  | 'node-noaddr'
  | 'node-timeout-differs';

export interface ClusterProblem {
  code: ProblemCode;
  /** `error` makes the report not ok (redis-cli prints [ERR]); `warning` does not ([WARNING]). */
  severity: 'error' | 'warning';
  message: string;
  nodeId?: string;
  address?: string;
  /** Affected slots, CLUSTER NODES form. */
  slots?: string;
  /** For open slots: which side holds the mark, and the other side's id. */
  state?: 'migrating' | 'importing';
  peerId?: string;
  /** For multiple owners: every claimant. */
  nodeIds?: string[];
  host?: string;
}

export interface CheckReport {
  ok: boolean;
  problems: ClusterProblem[];
  /** Masters, replicas, slots covered, keys are not counted (use INFO keyspace). */
  summary: { masters: number; replicas: number; coveredSlots: number; reachable: number; unreachable: number };
}

/** What check() reads besides CLUSTER NODES / INFO. */
export interface CheckEvidence {
  /** Every reachable node's cluster-node-timeout (CONFIG GET). */
  nodeTimeouts?: readonly NodeTimeoutReading[];
}

/** Pure: everything `redis-cli --cluster check` reports, and more, from a snapshot. */
export function checkClusterState(state: ClusterState, evidence: CheckEvidence = {}): CheckReport {
  const problems: ClusterProblem[] = [];
  const add = (problem: ClusterProblem): void => {
    problems.push(problem);
  };

  for (const text of findDisagreements(state.views)) {
    if (!text.includes('in handshake')) add({ code: 'config-disagreement', severity: 'error', message: `Nodes don't agree about configuration: ${text}` });
  }

  for (const open of state.openSlots()) {
    const node = state.node(open.nodeId);
    add({
      code: 'open-slot',
      severity: 'error',
      message: `Slot ${open.slot} is open: ${node?.address ?? open.nodeId} has it ${open.state} ${open.state === 'migrating' ? 'to' : 'from'} ${
        state.node(open.peerId)?.address ?? open.peerId
      }. fix() finishes or cancels the move (CLUSTER SETSLOT ${open.slot} STABLE cancels it by hand).`,
      nodeId: open.nodeId,
      address: node?.address ?? '',
      slots: String(open.slot),
      state: open.state,
      peerId: open.peerId,
    });
  }

  const uncovered = state.uncoveredSlots();
  if (!uncovered.isEmpty) {
    add({
      code: 'uncovered-slots',
      severity: 'error',
      message: `Not all ${SLOT_COUNT} slots are covered by nodes: ${uncovered.size} slot(s) have no owner (${abbreviate(uncovered)}). fix() assigns them.`,
      slots: uncovered.toString(),
    });
  }

  for (const conflict of multipleOwners(state)) add(conflict);

  for (const entry of state.unreachable) {
    add({
      code: 'node-unreachable',
      severity: 'error',
      message: `Node ${entry.address} cannot be reached: ${entry.reason}`,
      address: entry.address,
      ...(entry.nodeId === undefined ? {} : { nodeId: entry.nodeId }),
    });
  }

  for (const node of state.nodes) {
    if (node.failed) {
      add({ code: 'node-failed', severity: 'error', message: `Node ${node.address} (${node.id}) is flagged fail by the cluster.`, nodeId: node.id, address: node.address });
    } else if (node.suspected) {
      add({ code: 'node-suspected', severity: 'warning', message: `Node ${node.address} (${node.id}) is suspected down (PFAIL) by some nodes.`, nodeId: node.id, address: node.address });
    }
    if (node.handshake) {
      add({ code: 'node-handshake', severity: 'warning', message: `Node ${node.address} is still in handshake: it has not joined yet, or it was forgotten on some nodes only.`, nodeId: node.id, address: node.address });
    }
  }

  for (const problem of noAddressProblems(state)) add(problem);

  for (const outlier of nodeTimeoutOutliers(evidence.nodeTimeouts ?? [])) {
    add({
      code: 'node-timeout-differs',
      severity: outlier.leftLowered ? 'error' : 'warning',
      message: outlier.leftLowered
        ? `Node ${outlier.address} runs with cluster-node-timeout ${outlier.valueMs}, the rest with ${outlier.intendedMs}: an operation that lowered it for fast gossip was interrupted. ` +
          `Its failure detection is jumpy; fix() (or the next membership or failover operation) restores ${outlier.intendedMs}.`
        : `Node ${outlier.address} runs with cluster-node-timeout ${outlier.valueMs}, most nodes with ${outlier.intendedMs}: failures are detected at different speeds. ` +
          `Set one value everywhere (CONFIG SET cluster-node-timeout, and in its config file).`,
      nodeId: outlier.nodeId,
      address: outlier.address,
    });
  }

  for (const view of state.views) {
    if (view.clusterInfo['cluster_state'] !== undefined && view.clusterInfo['cluster_state'] !== 'ok') {
      add({ code: 'cluster-state-fail', severity: 'error', message: `Node ${view.address} reports cluster_state:${view.clusterInfo['cluster_state']}.`, nodeId: view.nodeId, address: view.address });
    }
  }

  const replicasByMaster = new Map<string, ClusterState['nodes'][number][]>();
  for (const node of state.nodes) {
    if (node.role !== 'replica' || node.masterId === undefined || node.failed) continue;
    replicasByMaster.set(node.masterId, [...(replicasByMaster.get(node.masterId) ?? []), node]);
  }
  for (const master of state.slotOwners) {
    const replicas = replicasByMaster.get(master.id) ?? [];
    if (replicas.length === 0) {
      add({
        code: 'master-without-replica',
        severity: 'warning',
        message: `Master ${master.address} (${master.id}) has no working replica: losing it loses slots ${abbreviate(master.slots)}. addNode(..., { as: 'replica' }) or rehomeReplicas() fixes it.`,
        nodeId: master.id,
        address: master.address,
      });
    }
    for (const replica of replicas) {
      if (ClusterState.hostOf(replica) === ClusterState.hostOf(master)) {
        add({
          code: 'replica-same-host',
          severity: 'warning',
          message: `Replica ${replica.address} shares host ${ClusterState.hostOf(master)} with its master ${master.address}: one host failure loses both.`,
          nodeId: replica.id,
          address: replica.address,
          peerId: master.id,
          host: ClusterState.hostOf(master),
        });
      }
    }
  }

  return {
    ok: problems.every((problem) => problem.severity !== 'error'),
    problems,
    summary: {
      masters: state.masters.length,
      replicas: state.replicas.length,
      coveredSlots: SLOT_COUNT - uncovered.size,
      reachable: state.views.length,
      unreachable: state.unreachable.length,
    },
  };
}

/**
 * Nodes some view lists as `noaddr`: a node that answered at their address had another id (a new
 * server took the address), so Redis forgot the address. Redis never pings such a node, never
 * flags it fail and never fails it over; its replicas resync from whatever answers there.
 */
function noAddressProblems(state: ClusterState): ClusterProblem[] {
  const problems: ClusterProblem[] = [];
  const withoutAddress = new Set<string>();
  for (const view of state.views) for (const line of view.nodes) if (line.flags.includes('noaddr')) withoutAddress.add(line.id);
  for (const node of state.nodes) {
    if (!withoutAddress.has(node.id)) continue;
    const servesSlots = node.role === 'master' && node.slots.size > 0;
    problems.push({
      code: 'node-noaddr',
      severity: servesSlots ? 'error' : 'warning',
      message: servesSlots
        ? `Master ${node.id} (slots ${abbreviate(node.slots)}) has no address (noaddr): a server with another id answered at its address, so Redis will never fail it over, ` +
          `and its replicas resync from that server, losing their keys. Stop that server now, then restart ${node.id} there from its own data and nodes.conf. ` +
          `Do not fail over to a replica that already resynced from it (check its DBSIZE).`
        : `Node ${node.id} (${node.role}) has no address (noaddr): a server with another id answered at its address. If it is gone for good, forget it: topology.forgetEverywhere("${node.id}").`,
      nodeId: node.id,
      address: node.address,
      ...(servesSlots ? { slots: node.slots.toString() } : {}),
    });
  }
  return problems;
}

/** Slots that two or more reachable masters claim as their own. */
function multipleOwners(state: ClusterState): ClusterProblem[] {
  const claims = new Map<number, string[]>();
  for (const view of state.views) {
    const self = selfLine(view);
    if (self === undefined || self.role !== 'master') continue;
    for (const slot of self.slots) {
      const list = claims.get(slot) ?? [];
      list.push(self.id);
      claims.set(slot, list);
    }
  }
  const byOwners = new Map<string, number[]>();
  for (const [slot, owners] of claims) {
    if (owners.length < 2) continue;
    const key = [...owners].sort().join(',');
    const list = byOwners.get(key) ?? [];
    list.push(slot);
    byOwners.set(key, list);
  }
  return [...byOwners].map(([key, slots]) => {
    const set = SlotSet.fromSlots(slots);
    const nodeIds = key.split(',');
    return {
      code: 'slot-multiple-owners' as const,
      severity: 'error' as const,
      message: `Slot(s) ${abbreviate(set)} are claimed by several masters: ${nodeIds.map((id) => state.node(id)?.address ?? id).join(', ')}. fix() keeps the owner with the keys.`,
      slots: set.toString(),
      nodeIds,
    };
  });
}

function abbreviate(slots: SlotSet): string {
  const text = slots.toString();
  return text.length > 80 ? `${text.slice(0, 80)}...` : text;
}
