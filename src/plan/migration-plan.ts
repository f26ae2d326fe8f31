import { InvalidArgumentError, UnknownNodeError } from '../errors';
import type { ClusterNode, ClusterState } from '../model/cluster-state';
import { assertNodeRef } from '../model/node-id';
import { SlotSet } from '../model/slot-set';
import { assertPlanCluster, clusterFingerprint } from './cluster-fingerprint';
import { migrationPlanId, parseMigrationPlan } from './parse-migration-plan';

/** Slots to move from one master to another (node ids). */
export interface SlotMoveGroup {
  from: string;
  to: string;
  /** CLUSTER NODES form, e.g. "0-99 200". */
  slots: string;
  count: number;
}

/**
 * A serializable plan of slot moves: reviewable, storable as JSON, executable later with
 * SlotMigrator.execute(). `id` is a digest of the moves and the cluster, so a journal can tell
 * which plan it belongs to and parseMigrationPlan() can tell an edited plan.
 */
export interface MigrationPlan {
  kind: 'migration';
  /** Digest of `cluster` and `moves` (migrationPlanId). */
  id: string;
  /** Fingerprint of the cluster the plan was made for (clusterFingerprint): executing it elsewhere is refused. */
  cluster: string;
  purpose: 'reshard' | 'rebalance' | 'drain';
  moves: SlotMoveGroup[];
  totalSlots: number;
  /** Masters the plan was made for (id -> address), to refuse it on another cluster. */
  nodes: Record<string, string>;
  /** Why the plan is empty or what it could not do. */
  notes: string[];
}

/** Builds a plan from slot moves, merging moves of the same pair and dropping empty ones. */
export function buildMigrationPlan(
  purpose: MigrationPlan['purpose'],
  state: ClusterState,
  moves: readonly { from: string; to: string; slots: SlotSet }[],
  notes: string[] = [],
): MigrationPlan {
  const merged = new Map<string, { from: string; to: string; slots: SlotSet }>();
  for (const move of moves) {
    if (move.slots.isEmpty || move.from === move.to) continue;
    const key = `${move.from}>${move.to}`;
    const existing = merged.get(key);
    merged.set(key, { from: move.from, to: move.to, slots: existing === undefined ? move.slots : existing.slots.union(move.slots) });
  }
  const groups = [...merged.values()].map((move) => ({ from: move.from, to: move.to, slots: move.slots.toString(), count: move.slots.size }));
  const nodes: Record<string, string> = {};
  for (const master of state.masters) nodes[master.id] = master.address;
  const cluster = clusterFingerprint(state);
  const id = migrationPlanId(cluster, groups);
  return { kind: 'migration', id, cluster, purpose, moves: groups, totalSlots: groups.reduce((sum, group) => sum + group.count, 0), nodes, notes };
}


/** A master of the snapshot usable as a source or target: known, a master, not failed. */
export function requireMaster(state: ClusterState, value: unknown, argument: string): ClusterNode {
  const idOrAddress = assertNodeRef(value, argument);
  const node = state.node(idOrAddress);
  if (node === undefined || node.handshake) throw new UnknownNodeError(idOrAddress, state.masters.map((m) => `${m.id.slice(0, 8)} (${m.address})`));
  if (node.role !== 'master') {
    throw new InvalidArgumentError(argument, idOrAddress, `node ${node.address} is a replica (of ${node.masterId ?? 'unknown'})`, 'Slots move between masters: pass a master id.');
  }
  if (node.failed) {
    throw new InvalidArgumentError(argument, idOrAddress, `node ${node.address} is flagged fail`, 'Fail over or replace it first (FailoverController), then move slots.');
  }
  return node;
}

/**
 * Refuses a plan that is malformed or edited (parseMigrationPlan), made for another cluster, or
 * whose moves do not fit the cluster now: unknown ids, replicas, slots out of range.
 */
export function validateMigrationPlan(input: MigrationPlan, state: ClusterState): { from: string; to: string; slots: SlotSet }[] {
  const plan = parseMigrationPlan(input);
  assertPlanCluster('migration', plan.cluster, state, plan.moves.flatMap((move) => [move.from, move.to]));
  return plan.moves.map((move, index) => {
    const from = requireMaster(state, move.from, `plan.moves[${index}].from`);
    const to = requireMaster(state, move.to, `plan.moves[${index}].to`);
    return { from: from.id, to: to.id, slots: SlotSet.parse(move.slots, `plan.moves[${index}].slots`) };
  });
}
