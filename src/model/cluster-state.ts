import { UnknownNodeError } from '../errors';
import { SLOT_COUNT } from './key-slot';
import { assertNodeRef } from './node-id';
import type { NodeInfo } from './node-info';
import { selfLine, type NodeView, type UnreachableNode } from './node-view';
import { SlotSet } from './slot-set';

/** A node of the merged snapshot: what it says of itself when reachable, else what others say. */
export interface ClusterNode extends NodeInfo {
  /** We could query this node ourselves. */
  reachable: boolean;
  /** How many views flag this node `fail` (consensus) or `fail?` (suspicion). */
  failReports: number;
}

/**
 * An immutable snapshot of a cluster, merged from every reachable node's CLUSTER NODES.
 * Each node's own line is authoritative for its role, master and slots; others' lines fill in
 * for unreachable nodes. `views` keeps every node's raw opinion for disagreement checks.
 */
export class ClusterState {
  readonly nodes: readonly ClusterNode[];
  readonly views: readonly NodeView[];
  readonly unreachable: readonly UnreachableNode[];
  /** Epoch milliseconds when the snapshot was taken. */
  readonly takenAt: number;
  private readonly byId: ReadonlyMap<string, ClusterNode>;

  constructor(views: readonly NodeView[], unreachable: readonly UnreachableNode[] = [], takenAt = Date.now()) {
    this.views = views;
    this.unreachable = unreachable;
    this.takenAt = takenAt;
    this.nodes = mergeViews(views);
    this.byId = new Map(this.nodes.map((node) => [node.id, node]));
  }

  /** The node with this id, or `host:port`, or undefined. */
  node(idOrAddress: string): ClusterNode | undefined {
    return this.byId.get(idOrAddress) ?? this.nodes.find((node) => node.address === idOrAddress);
  }

  /** Like node() but throws UnknownNodeError naming the id and the known ones (InvalidArgumentError for a malformed one). */
  requireNode(idOrAddress: string, argument = 'node'): ClusterNode {
    assertNodeRef(idOrAddress, argument);
    const node = this.node(idOrAddress);
    if (node === undefined) throw new UnknownNodeError(idOrAddress, this.nodes.map((n) => `${n.id.slice(0, 8)} (${n.address})`));
    return node;
  }

  /** Masters that are full members (not in handshake), failed ones included. */
  get masters(): ClusterNode[] {
    return this.nodes.filter((node) => node.role === 'master' && !node.handshake);
  }

  get replicas(): ClusterNode[] {
    return this.nodes.filter((node) => node.role === 'replica' && !node.handshake);
  }

  /** Masters that serve at least one slot. */
  get slotOwners(): ClusterNode[] {
    return this.masters.filter((node) => node.slots.size > 0);
  }

  replicasOf(masterId: string): ClusterNode[] {
    return this.nodes.filter((node) => node.role === 'replica' && node.masterId === masterId);
  }

  /** The master serving `slot`, per the merged view. */
  ownerOf(slot: number): ClusterNode | undefined {
    return this.masters.find((node) => node.slots.has(slot));
  }

  /** Slots no master serves. */
  uncoveredSlots(): SlotSet {
    return this.masters.reduce((left, node) => left.subtract(node.slots), SlotSet.ALL);
  }

  /**
   * Slots some master has open (MIGRATING or IMPORTING), with who holds the mark. Replicas' marks
   * are left out: Valkey 8 replicates SETSLOT, so its replicas mirror their master's marks, and only
   * the master acts on them (a replica refuses SETSLOT).
   */
  openSlots(): { slot: number; nodeId: string; state: 'migrating' | 'importing'; peerId: string }[] {
    const result: { slot: number; nodeId: string; state: 'migrating' | 'importing'; peerId: string }[] = [];
    for (const node of this.nodes) {
      if (node.role !== 'master') continue;
      for (const mark of node.migrating) result.push({ slot: mark.slot, nodeId: node.id, state: 'migrating', peerId: mark.nodeId });
      for (const mark of node.importing) result.push({ slot: mark.slot, nodeId: node.id, state: 'importing', peerId: mark.nodeId });
    }
    return result.sort((a, b) => a.slot - b.slot);
  }

  /** The host part used for anti-affinity: the announced hostname if any, else the IP. */
  static hostOf(node: Pick<NodeInfo, 'host' | 'hostname'>): string {
    return node.hostname ?? node.host;
  }

  toJSON(): object {
    return {
      takenAt: this.takenAt,
      nodes: this.nodes,
      unreachable: this.unreachable,
    };
  }
}

function mergeViews(views: readonly NodeView[]): ClusterNode[] {
  const selfLines = new Map<string, NodeInfo>();
  for (const view of views) {
    const self = selfLine(view);
    if (self !== undefined) selfLines.set(self.id, view.server === undefined ? self : { ...self, server: view.server });
  }
  const others = new Map<string, NodeInfo[]>();
  for (const view of views) {
    for (const node of view.nodes) {
      if (node.myself) continue;
      const list = others.get(node.id) ?? [];
      list.push(node);
      others.set(node.id, list);
    }
  }
  const ids = new Set<string>([...selfLines.keys(), ...others.keys()]);
  const merged: ClusterNode[] = [];
  for (const id of ids) {
    const reports = others.get(id) ?? [];
    const failReports = reports.filter((node) => node.failed || node.suspected).length;
    const own = selfLines.get(id);
    const base = own ?? mostRecentReport(reports);
    if (base === undefined) continue;
    const anyFailed = reports.some((node) => node.failed);
    const anySuspected = reports.some((node) => node.suspected);
    merged.push({
      ...base,
      myself: false,
      flags: base.flags.filter((flag) => flag !== 'myself'),
      failed: anyFailed,
      suspected: anySuspected,
      reachable: own !== undefined,
      failReports,
    });
  }
  return merged.sort(compareNodes);
}

/** For an unreachable node: the report with the highest config epoch (then the most slots). */
function mostRecentReport(reports: readonly NodeInfo[]): NodeInfo | undefined {
  let best: NodeInfo | undefined;
  for (const report of reports) {
    if (best === undefined || report.configEpoch > best.configEpoch || (report.configEpoch === best.configEpoch && report.slots.size > best.slots.size)) {
      best = report;
    }
  }
  return best;
}

/** Masters by first slot, then replicas, then by address: a stable, readable order. */
function compareNodes(a: ClusterNode, b: ClusterNode): number {
  if (a.role !== b.role) return a.role === 'master' ? -1 : 1;
  const aFirst = a.slots.ranges[0]?.[0] ?? SLOT_COUNT;
  const bFirst = b.slots.ranges[0]?.[0] ?? SLOT_COUNT;
  if (aFirst !== bFirst) return aFirst - bFirst;
  return a.address < b.address ? -1 : a.address > b.address ? 1 : 0;
}
