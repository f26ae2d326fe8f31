import type { ClusterNode, ClusterState } from '../model/cluster-state';
import { slotOwnersOfView } from '../model/agreement';
import { SLOT_COUNT } from '../model/key-slot';
import { selfLine } from '../model/node-view';

/**
 * What fix() learns by asking the nodes, beyond their CLUSTER NODES views: how many keys each
 * reachable master holds per slot (CLUSTER COUNTKEYSINSLOT). Only slots with keys are listed.
 * It must cover, on every reachable master, every slot that master does not claim, and every slot
 * that is open or contested anywhere (see contestedSlots): a slot not listed counts as empty.
 */
export interface FixEvidence {
  /** nodeId -> slot (as a decimal string) -> key count (> 0). */
  keys: Record<string, Record<string, number>>;
}

/** A mark a live master has on a slot, from its own CLUSTER NODES line. */
export interface SlotMark {
  nodeId: string;
  state: 'migrating' | 'importing';
  peerId: string;
}

/** Everything the planner knows about one slot. */
export interface SlotFacts {
  slot: number;
  /** Live masters whose own line claims the slot, highest config epoch first (ties: smaller id, as Redis settles them). */
  claimants: ClusterNode[];
  /** Ids the live masters' tables map the slot to (each view's opinion), deduplicated. */
  mappedTo: string[];
  /** Live masters whose table maps the slot to nobody. */
  unboundAt: string[];
  /** What each live master's table says (node id -> owner id), absent when unbound. */
  tableOwner: Record<string, string>;
  marks: SlotMark[];
  /** Live masters holding keys of the slot, most keys first (ties: smaller id). */
  holders: { nodeId: string; keys: number }[];
}

/** Masters we can reach, that the cluster does not flag fail: the only nodes fix() sends commands to. */
export function liveMasters(state: ClusterState): ClusterNode[] {
  return state.masters.filter((node) => node.reachable && !node.failed);
}

/** Orders claimants the way Redis settles a contested slot: the greater config epoch wins; on a tie the smaller node id. */
export function byEpoch(a: ClusterNode, b: ClusterNode): number {
  return b.configEpoch - a.configEpoch || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** Facts for every slot that needs a decision; slots that are clean (one claimant, agreed, no marks, no stray keys) are left out. */
export function collectSlotFacts(state: ClusterState, evidence: FixEvidence): SlotFacts[] {
  const live = liveMasters(state);
  const liveIds = new Set(live.map((node) => node.id));
  const claims = new Array<ClusterNode[] | undefined>(SLOT_COUNT);
  for (const node of live) {
    for (const [start, end] of node.slots.ranges) {
      for (let slot = start; slot <= end; slot++) (claims[slot] ??= []).push(node);
    }
  }
  const tables = state.views.filter((view) => liveIds.has(view.nodeId) && selfLine(view)?.role === 'master').map((view) => ({ nodeId: view.nodeId, owners: slotOwnersOfView(view) }));
  const marks = new Map<number, SlotMark[]>();
  for (const node of live) {
    for (const mark of node.migrating) pushTo(marks, mark.slot, { nodeId: node.id, state: 'migrating', peerId: mark.nodeId });
    for (const mark of node.importing) pushTo(marks, mark.slot, { nodeId: node.id, state: 'importing', peerId: mark.nodeId });
  }
  const holders = new Map<number, { nodeId: string; keys: number }[]>();
  for (const nodeId of Object.keys(evidence.keys).sort()) {
    if (!liveIds.has(nodeId)) continue;
    for (const [slotText, count] of Object.entries(evidence.keys[nodeId] ?? {})) {
      const slot = Number(slotText);
      if (Number.isInteger(slot) && slot >= 0 && slot < SLOT_COUNT && count > 0) pushTo(holders, slot, { nodeId, keys: count });
    }
  }

  const facts: SlotFacts[] = [];
  for (let slot = 0; slot < SLOT_COUNT; slot++) {
    const claimants = [...(claims[slot] ?? [])].sort(byEpoch);
    const mapped = new Set<string>();
    const unboundAt: string[] = [];
    const tableOwner: Record<string, string> = {};
    for (const table of tables) {
      const owner = table.owners[slot];
      if (owner === undefined) unboundAt.push(table.nodeId);
      else {
        mapped.add(owner);
        tableOwner[table.nodeId] = owner;
      }
    }
    const slotMarks = marks.get(slot) ?? [];
    const slotHolders = (holders.get(slot) ?? []).sort((a, b) => b.keys - a.keys || (a.nodeId < b.nodeId ? -1 : 1));
    const sole = claimants.length === 1 ? claimants[0] : undefined;
    const clean =
      sole !== undefined &&
      slotMarks.length === 0 &&
      unboundAt.length === 0 &&
      [...mapped].every((id) => id === sole.id) &&
      slotHolders.every((holder) => holder.nodeId === sole.id);
    if (clean) continue;
    facts.push({ slot, claimants, mappedTo: [...mapped].sort(), unboundAt, tableOwner, marks: slotMarks, holders: slotHolders });
  }
  return facts;
}

/**
 * Slots whose key counts the planner needs on every master (not only on the non-claimants):
 * open anywhere, claimed by several live masters or by none, or mapped differently by the tables.
 */
export function contestedSlots(state: ClusterState): number[] {
  return collectSlotFacts(state, { keys: {} }).map((facts) => facts.slot);
}

function pushTo<T>(map: Map<number, T[]>, slot: number, value: T): void {
  const list = map.get(slot);
  if (list === undefined) map.set(slot, [value]);
  else list.push(value);
}
