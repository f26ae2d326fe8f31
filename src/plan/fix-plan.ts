import { createHash } from 'node:crypto';
import type { ClusterNode, ClusterState } from '../model/cluster-state';
import { byEpoch, collectSlotFacts, liveMasters, type FixEvidence, type SlotFacts } from './fix-facts';
import type { FixCause, FixPlan, FixSlotDecision, FixStep } from './fix-plan-types';
import { stepsForSlot, unresolvedGroups } from './fix-steps';

export type { FixEvidence } from './fix-facts';
export type { FixAction, FixCause, FixPlan, FixSlotDecision, FixStep, UnresolvedSlots } from './fix-plan-types';

/**
 * Pure: decides, for every slot that is open, contested, unbound, uncovered or has keys on a
 * master that does not own it, who owns it and how its keys get there, in an order the servers
 * accept and that never loses a key:
 * - a master that claims a slot and still holds keys of it never sees another claim with a greater
 *   epoch before its keys are gone (Redis deletes the keys of a slot it loses that way);
 * - the owner's own MIGRATING mark is cleared before keys move into it (else it answers ASK);
 * - every master that gives keys away has an owner for the slot in its table and the slot open
 *   (MIGRATE refuses a slot it sees unbound, and needs MIGRATING or IMPORTING to run);
 * - slots are covered before any key moves (MIGRATE refuses while cluster_state is fail).
 */
export function planFix(state: ClusterState, evidence: FixEvidence): FixPlan {
  const live = liveMasters(state);
  const liveById = new Map(live.map((node) => [node.id, node]));
  const facts = collectSlotFacts(state, evidence);
  const decisions: FixSlotDecision[] = [];
  const unresolved: number[] = [];
  const emptyUncovered: SlotFacts[] = [];
  for (const fact of facts) {
    const decided = decide(fact, liveById, state);
    if (decided === 'unresolved') unresolved.push(fact.slot);
    else if (decided === 'spread') emptyUncovered.push(fact);
    else decisions.push(decided);
  }
  decisions.push(...spreadEmpty(emptyUncovered, live, decisions));
  decisions.sort((a, b) => a.slot - b.slot);

  const factsBySlot = new Map(facts.map((fact) => [fact.slot, fact]));
  const settle: FixStep[][] = [[], [], [], []];
  const moves: FixPlan['moves'] = [];
  const bumps = new Set<string>();
  for (const decision of decisions) {
    stepsForSlot(decision, factsBySlot.get(decision.slot) as SlotFacts, live, settle, moves);
    bumps.add(decision.owner);
  }
  // Every owner ends with the greatest config epoch, one after the other (two bumping at once could
  // collide): a table anywhere (a replica's, a dead node's that comes back) that still names an old
  // claimant with a greater epoch would otherwise win the slot back through UPDATE messages.
  const finish = [...bumps].sort().map((node): FixStep[] => [{ op: 'bump-epoch', node }]);
  const body = { decisions, settle: settle.some((wave) => wave.length > 0) ? settle : [], moves, finish };
  const nodes: Record<string, string> = {};
  for (const node of live) nodes[node.id] = node.address;
  // The id covers what the plan does, not the key counts it saw: writes between review and execution
  // change counts, and executeFix() refuses a plan only when the steps would differ.
  const what = { owners: decisions.map((d) => [d.slot, d.owner, d.action]), settle: body.settle, moves, finish };
  const id = createHash('sha256').update(JSON.stringify(what)).digest('hex').slice(0, 16);
  return { kind: 'fix', id, nodes, ...body, unresolved: unresolvedGroups(unresolved, facts, state) };
}

function decide(fact: SlotFacts, live: Map<string, ClusterNode>, state: ClusterState): FixSlotDecision | 'unresolved' | 'spread' {
  const keys: Record<string, number> = {};
  for (const holder of fact.holders) keys[holder.nodeId] = holder.keys;
  const base = { slot: fact.slot, keys, wasOpen: fact.marks.length > 0 };
  const current = fact.claimants[0];
  if (current !== undefined) {
    const migrating = fact.marks.find((mark) => mark.nodeId === current.id && mark.state === 'migrating');
    const target = migrating === undefined ? undefined : live.get(migrating.peerId);
    const importing = target !== undefined && fact.marks.some((mark) => mark.nodeId === target.id && mark.state === 'importing' && mark.peerId === current.id);
    if (fact.claimants.length === 1 && target !== undefined && importing) return { ...base, owner: target.id, action: 'finished-migration', cause: 'open-slot' };
    if (fact.claimants.length > 1) return { ...base, owner: current.id, action: 'owner-by-epoch', cause: 'multiple-claimants' };
    return { ...base, owner: current.id, action: 'kept-owner', cause: causeForOwner(fact, current, migrating?.peerId, live, state) };
  }
  // No live master claims the slot. A table that maps it to a node we cannot use (failed, unreachable,
  // a replica now) may mean its keys sit there: leave it to the failover, never guess.
  const mappedLive = fact.mappedTo.map((id) => live.get(id)).filter((node): node is ClusterNode => node !== undefined);
  if (mappedLive.length < fact.mappedTo.length) return 'unresolved';
  if (mappedLive.length > 0) {
    const owner = [...mappedLive].sort(byEpoch)[0] as ClusterNode;
    return { ...base, owner: owner.id, action: 'claimed-mapped', cause: 'unclaimed-mapped' };
  }
  const holder = fact.holders[0];
  if (holder !== undefined) return { ...base, owner: holder.nodeId, action: 'assigned-to-key-holder', cause: 'uncovered' };
  return 'spread';
}

function causeForOwner(fact: SlotFacts, owner: ClusterNode, migratingTo: string | undefined, live: Map<string, ClusterNode>, state: ClusterState): FixCause {
  if (migratingTo !== undefined && !live.has(migratingTo)) return state.node(migratingTo)?.role === 'replica' ? 'migrating-to-replica' : 'migrating-to-failed-node';
  if (fact.marks.some((mark) => mark.state === 'importing' && mark.nodeId !== owner.id && fact.unboundAt.includes(mark.nodeId))) return 'importing-without-owner';
  if (fact.marks.length > 0) return 'open-slot';
  if (fact.holders.some((holder) => holder.nodeId !== owner.id)) return 'stray-keys';
  return 'stale-table';
}

/** Empty slots nobody claims or maps: to the masters with the fewest slots, evening them out. */
function spreadEmpty(facts: readonly SlotFacts[], live: readonly ClusterNode[], decided: readonly FixSlotDecision[]): FixSlotDecision[] {
  if (facts.length === 0 || live.length === 0) return [];
  const ordered = [...live].sort((a, b) => (a.id < b.id ? -1 : 1));
  const counts = ordered.map((node) => node.slots.size + decided.filter((d) => d.owner === node.id).length);
  return facts.map((fact) => {
    let best = 0;
    for (let i = 1; i < ordered.length; i++) if ((counts[i] as number) < (counts[best] as number)) best = i;
    counts[best] = (counts[best] as number) + 1;
    return { slot: fact.slot, owner: (ordered[best] as ClusterNode).id, action: 'assigned-empty', cause: 'uncovered', keys: {}, wasOpen: false };
  });
}
