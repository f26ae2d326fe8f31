import type { ClusterState } from '../model/cluster-state';
import type { NodeHealth, WatchEvent } from './watch-events';

/** What watch() remembers of one node between two polls. */
export interface WatchNode {
  id: string;
  address: string;
  role: 'master' | 'replica';
  masterId?: string;
  health: NodeHealth;
  /** Views flagging it `fail?` or `fail`. */
  reporters: number;
  /** Slots, CLUSTER NODES form ('' for none). */
  slots: string;
  slotCount: number;
  configEpoch: number;
}

/** A serializable summary of a ClusterState: the input of diffSnapshots. */
export interface WatchSnapshot {
  takenAt: number;
  nodes: WatchNode[];
}

/** Pure: the summary watch() diffs. Nodes in handshake are not members yet and are left out. */
export function snapshotOf(state: ClusterState): WatchSnapshot {
  return {
    takenAt: state.takenAt,
    nodes: state.nodes
      .filter((node) => !node.handshake)
      .map((node) => ({
        id: node.id,
        address: node.address,
        role: node.role,
        ...(node.masterId === undefined ? {} : { masterId: node.masterId }),
        health: node.failed ? 'fail' : node.suspected ? 'pfail' : 'ok',
        reporters: node.failReports,
        slots: node.slots.toString(),
        slotCount: node.slots.size,
        configEpoch: node.configEpoch,
      })),
  };
}

/**
 * Pure: the events between two snapshots. With no previous snapshot (the first poll) it reports
 * the current trouble only: nodes already pfail/fail and masters already without replicas.
 * Order: membership, health, roles, then masters left without replicas.
 */
export function diffSnapshots(previous: WatchSnapshot | undefined, next: WatchSnapshot): WatchEvent[] {
  const at = next.takenAt;
  const events: WatchEvent[] = [];
  const before = new Map((previous?.nodes ?? []).map((node) => [node.id, node]));
  const after = new Map(next.nodes.map((node) => [node.id, node]));

  if (previous !== undefined) {
    for (const node of next.nodes) {
      if (!before.has(node.id)) events.push({ name: 'node-joined', payload: { nodeId: node.id, address: node.address, role: node.role, at } });
    }
    for (const node of previous.nodes) {
      if (!after.has(node.id)) events.push({ name: 'node-left', payload: { nodeId: node.id, address: node.address, role: node.role, at } });
    }
  }

  for (const node of next.nodes) {
    const old = before.get(node.id);
    const from: NodeHealth = old?.health ?? 'ok';
    const payload = { nodeId: node.id, address: node.address, role: node.role, from, reporters: node.reporters, at };
    if (from !== node.health) {
      if (node.health === 'pfail' && from === 'ok') events.push({ name: 'node-pfail', payload });
      else if (node.health === 'fail') events.push({ name: 'node-fail', payload });
      else if (node.health === 'ok') events.push({ name: 'node-recovered', payload });
    }
  }

  for (const node of next.nodes) {
    const old = before.get(node.id);
    if (old === undefined || old.role === node.role) continue;
    if (node.role === 'master') {
      events.push({
        name: 'replica-promoted',
        payload: {
          nodeId: node.id,
          address: node.address,
          ...(old.masterId === undefined ? {} : { previousMasterId: old.masterId }),
          configEpoch: node.configEpoch,
          slots: node.slots,
          at,
        },
      });
    } else if (old.slotCount > 0 || old.health !== 'ok') {
      // A master that served slots, or a failed one coming back as a replica, was demoted; a node
      // added as an empty master and then made a replica (addNode as replica) was not.
      events.push({ name: 'master-demoted', payload: { nodeId: node.id, address: node.address, ...(node.masterId === undefined ? {} : { masterId: node.masterId }), at } });
    }
  }

  const lacking = previous === undefined ? new Set<string>() : mastersWithoutReplicas(previous);
  for (const id of mastersWithoutReplicas(next)) {
    if (lacking.has(id)) continue;
    const node = after.get(id) as WatchNode;
    events.push({ name: 'master-without-replicas', payload: { nodeId: id, address: node.address, slots: node.slots, at } });
  }
  return events;
}

/** Ids of masters that serve slots, are not failed, and have no replica that is not failed. */
export function mastersWithoutReplicas(snapshot: WatchSnapshot): Set<string> {
  const result = new Set<string>();
  for (const node of snapshot.nodes) {
    if (node.role !== 'master' || node.slotCount === 0 || node.health === 'fail') continue;
    const working = snapshot.nodes.some((other) => other.role === 'replica' && other.masterId === node.id && other.health !== 'fail');
    if (!working) result.add(node.id);
  }
  return result;
}
