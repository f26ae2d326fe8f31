import type { ClusterNode, ClusterState } from '../model/cluster-state';
import { SlotSet } from '../model/slot-set';
import type { SlotFacts } from './fix-facts';
import type { FixPlan, FixSlotDecision, FixStep, UnresolvedSlots } from './fix-plan-types';

const stable = (node: string, slot: number): FixStep => ({ op: 'setslot', node, slot, state: 'STABLE' });
const setSlot = (node: string, slot: number, state: 'NODE' | 'IMPORTING' | 'MIGRATING', peer: string): FixStep => ({ op: 'setslot', node, slot, state, peer });

/**
 * The commands that give one slot to its chosen owner, appended to the plan's settle waves
 * (0: clear the owner's marks, 1: the owner claims, 2: the others learn the owner, 3: the others'
 * marks cleared) or, when keys must move, to one ordered `moves` entry.
 *
 * A master that claims the slot and holds keys (a claimant source) is drained first, MIGRATING
 * to the owner, which is IMPORTING and claims the slot only once they are empty: Redis deletes the
 * keys of a slot a master loses to a claim with a greater epoch. A master that holds keys without
 * claiming the slot (a promoted replica, an importing target) cannot lose them that way: it learns
 * the owner (settle wave 2), opens the slot (IMPORTING) so MIGRATE runs there, gives its keys and
 * is closed.
 */
export function stepsForSlot(decision: FixSlotDecision, fact: SlotFacts, live: readonly ClusterNode[], settle: FixStep[][], moves: FixPlan['moves']): void {
  const { slot, owner } = decision;
  const claims = new Set(fact.claimants.map((node) => node.id));
  const ownerClaims = claims.has(owner);
  const marked = (id: string): boolean => fact.marks.some((mark) => mark.nodeId === id);
  const hasMark = (id: string, state: 'migrating' | 'importing', peer: string): boolean =>
    fact.marks.some((mark) => mark.nodeId === id && mark.state === state && mark.peerId === peer) && fact.marks.filter((mark) => mark.nodeId === id).length === 1;
  const sources = fact.holders.filter((holder) => holder.nodeId !== owner).map((holder) => holder.nodeId);
  const claimantSources = sources.filter((id) => claims.has(id));
  const otherSources = sources.filter((id) => !claims.has(id));
  const bystanders = live.filter((node) => node.id !== owner && !sources.includes(node.id)).map((node) => node.id);
  const learns = (id: string): FixStep[] => (fact.tableOwner[id] === owner && !claims.has(id) ? [] : [setSlot(id, slot, 'NODE', owner)]);
  const gather = (id: string): FixStep[] => [setSlot(id, slot, 'IMPORTING', owner), { op: 'move-keys', slot, from: id, to: owner }, stable(id, slot)];
  // A holder that sees the slot unbound counts the cluster down (and MIGRATE refuses it): it learns
  // the owner in the settle waves, before the wait for cluster_state:ok.
  for (const id of otherSources) (settle[2] as FixStep[]).push(...learns(id));

  if (claimantSources.length === 0) {
    if (marked(owner)) (settle[0] as FixStep[]).push(stable(owner, slot));
    if (!ownerClaims) (settle[1] as FixStep[]).push(setSlot(owner, slot, 'NODE', owner));
    for (const id of bystanders) {
      (settle[2] as FixStep[]).push(...learns(id));
      if (marked(id)) (settle[3] as FixStep[]).push(stable(id, slot));
    }
    if (otherSources.length > 0) moves.push({ slot, steps: otherSources.flatMap(gather) });
    return;
  }

  const steps: FixStep[] = [];
  const first = claimantSources[0] as string;
  if (!ownerClaims) {
    if (!hasMark(owner, 'importing', first)) {
      if (marked(owner)) steps.push(stable(owner, slot));
      // RESTORE-ASKING is refused for a slot the receiver sees unbound: give its table an owner first.
      if (fact.unboundAt.includes(owner)) steps.push(setSlot(owner, slot, 'NODE', first));
      steps.push(setSlot(owner, slot, 'IMPORTING', first));
    }
  } else if (marked(owner)) {
    // An owner still MIGRATING answers ASK to the keys sent to it: close its mark first.
    steps.push(stable(owner, slot));
  }
  for (const id of claimantSources) {
    if (!hasMark(id, 'migrating', owner)) {
      if (marked(id)) steps.push(stable(id, slot));
      steps.push(setSlot(id, slot, 'MIGRATING', owner));
    }
    steps.push({ op: 'move-keys', slot, from: id, to: owner });
  }
  if (!ownerClaims) steps.push(stable(owner, slot), setSlot(owner, slot, 'NODE', owner));
  for (const id of claimantSources) steps.push(setSlot(id, slot, 'NODE', owner), stable(id, slot));
  for (const id of otherSources) steps.push(...gather(id));
  for (const id of bystanders) {
    steps.push(...learns(id));
    if (marked(id)) steps.push(stable(id, slot));
  }
  moves.push({ slot, steps });
}

/** Slots left alone, grouped by the nodes their tables name, with what to do about them. */
export function unresolvedGroups(slots: readonly number[], facts: readonly SlotFacts[], state: ClusterState): UnresolvedSlots[] {
  const bySlot = new Map(facts.map((fact) => [fact.slot, fact]));
  const groups = new Map<string, number[]>();
  for (const slot of slots) {
    const names = (bySlot.get(slot)?.mappedTo ?? []).map((id) => {
      const node = state.node(id);
      const status = node === undefined ? 'unknown' : node.role === 'replica' ? 'now a replica' : node.failed ? 'failed' : 'unreachable';
      return `${node?.address ?? id} (${status})`;
    });
    const key = names.join(', ');
    groups.set(key, [...(groups.get(key) ?? []), slot]);
  }
  return [...groups].map(([names, list]) => ({
    slots: SlotSet.fromSlots(list).toString(),
    reason: `no live master claims these slots and the cluster maps them to ${names || 'nobody'}, which may hold their keys: wait for its failover (or restart it), then run fix() again`,
  }));
}
