import type { ClusterNode, ClusterState } from '../../model/cluster-state';
import { SlotSet } from '../../model/slot-set';
import { moveSlotKeys } from '../../slot-move/key-mover';
import { DEFAULT_KEY_MOVE_OPTIONS, type ConflictPolicy, type KeyMoveOptions } from '../../slot-move/key-move-options';
import type { NodeClient } from '../../net/node-client';
import { throwIfAborted } from '../../util/abort';
import { restoreNodeTimeouts } from '../membership/fast-gossip';
import type { TopologyContext } from '../topology-context';

export interface FixOptions {
  /**
   * A key found on two masters with different values: stop and name it ('fail'), or let the copy
   * being moved overwrite the owner's ('replace'). Identical copies are merged either way.
   * @defaultValue 'fail'
   */
  onConflict?: ConflictPolicy;
  signal?: AbortSignal;
}

export type FixAction = 'finished-migration' | 'kept-owner' | 'assigned-to-key-holder' | 'assigned-empty';

export interface FixedSlot {
  slot: number;
  owner: string;
  action: FixAction;
  movedKeys: number;
}

export interface FixReport {
  /** Open slots closed, with the owner chosen and the keys moved to it. */
  openSlots: FixedSlot[];
  /** Uncovered slots assigned: to the node holding their keys, or spread over masters when empty. */
  assigned: { nodeId: string; slots: string; withKeys: boolean }[];
  movedKeys: number;
  /** Nodes an interrupted operation had left at the fast-gossip cluster-node-timeout, set back to the cluster's value. */
  restoredNodeTimeouts: { nodeId: string; address: string; fromMs: number; toMs: number }[];
  elapsedMs: number;
}

/**
 * Repairs what check() reports as open or uncovered slots, whatever state a crash left them in
 * (migrating only, importing only, both, keys on both sides, owner unknown). Keys always move to
 * the chosen owner; a key is never deleted unless an identical copy reached the owner. First it
 * sets back any node an interrupted operation left at the fast-gossip cluster-node-timeout.
 */
export async function fixCluster(context: TopologyContext, options: FixOptions = {}): Promise<FixReport> {
  const started = Date.now();
  const migrateOptions: KeyMoveOptions = { ...DEFAULT_KEY_MOVE_OPTIONS, onConflict: options.onConflict ?? 'fail' };
  const report: FixReport = { openSlots: [], assigned: [], movedKeys: 0, restoredNodeTimeouts: [], elapsedMs: 0 };
  let state = await context.refresh();
  report.restoredNodeTimeouts = (await restoreNodeTimeouts(context, state)).map((o) => ({ nodeId: o.nodeId, address: o.address, fromMs: o.valueMs, toMs: o.intendedMs }));

  const openSlots = [...new Set(state.openSlots().map((mark) => mark.slot))];
  for (const slot of openSlots) {
    throwIfAborted(options.signal, 'fix');
    report.openSlots.push(await closeOpenSlot(context, state, slot, migrateOptions, options.signal));
    state = await context.refresh();
  }

  const uncovered = state.uncoveredSlots();
  if (!uncovered.isEmpty) {
    const masters = state.masters.filter((m) => m.reachable && !m.failed);
    const counts = await Promise.all(masters.map((m) => countAll(context.pool.get(m.address), uncovered)));
    const withKeys = new Map<string, number[]>();
    const empty: number[] = [];
    for (const slot of uncovered) {
      const holders = masters.map((m, i) => ({ m, keys: counts[i]?.get(slot) ?? 0 })).filter((h) => h.keys > 0);
      if (holders.length === 0) {
        empty.push(slot);
        continue;
      }
      const owner = holders.sort((a, b) => b.keys - a.keys || (a.m.id < b.m.id ? -1 : 1))[0]?.m as ClusterNode;
      await context.pool.get(owner.address).addSlots(SlotSet.fromSlots([slot]));
      withKeys.set(owner.id, [...(withKeys.get(owner.id) ?? []), slot]);
      if (holders.length > 1) {
        state = (await context.waitForConvergence(options.signal === undefined ? {} : { signal: options.signal })).state;
        report.movedKeys += await gatherKeys(context, state, slot, owner, migrateOptions, options.signal);
      }
    }
    for (const [nodeId, slots] of withKeys) report.assigned.push({ nodeId, slots: SlotSet.fromSlots(slots).toString(), withKeys: true });
    report.assigned.push(...(await spreadEmpty(context, masters, SlotSet.fromSlots(empty))));
  }

  if (report.openSlots.length > 0 || report.assigned.length > 0) {
    await context.waitForConvergence(options.signal === undefined ? {} : { signal: options.signal });
  }
  report.movedKeys += report.openSlots.reduce((sum, s) => sum + s.movedKeys, 0);
  report.elapsedMs = Date.now() - started;
  return report;
}

/** Closes one open slot: picks the owner, gathers every key there, clears the marks, tells every master. */
async function closeOpenSlot(
  context: TopologyContext,
  state: ClusterState,
  slot: number,
  options: KeyMoveOptions,
  signal?: AbortSignal,
): Promise<FixedSlot> {
  const masters = state.masters.filter((m) => m.reachable && !m.failed);
  const migrating = masters.filter((m) => m.migrating.some((mark) => mark.slot === slot));
  const importing = masters.filter((m) => m.importing.some((mark) => mark.slot === slot));
  const counts = await Promise.all(masters.map((m) => context.pool.get(m.address).countKeysInSlot(slot)));
  const holders = masters.filter((_, i) => (counts[i] ?? 0) > 0);
  // Several masters claim the slot when a move stopped between SETSLOT NODE on the target and on the
  // source: the target took it with a newer config epoch, which is how Redis itself settles it.
  const claimants = masters.filter((m) => m.slots.has(slot)).sort((a, b) => b.configEpoch - a.configEpoch);
  const currentOwner = claimants[0];

  // Both ends of one move are in place, or the target already claims the slot: finish the move
  // (redis-cli's case 1). Otherwise the owner keeps the slot; with no owner, the node holding most
  // keys (or the importing one) takes it.
  const migratingTo = migrating.length === 1 ? migrating[0]?.migrating.find((mark) => mark.slot === slot)?.nodeId : undefined;
  const finishing = migratingTo === undefined ? undefined : (importing.find((node) => node.id === migratingTo) ?? claimants.find((node) => node.id === migratingTo));
  let action: FixAction = finishing !== undefined ? 'finished-migration' : currentOwner !== undefined ? 'kept-owner' : 'assigned-to-key-holder';
  const byKeys = [...holders].sort((a, b) => (counts[masters.indexOf(b)] ?? 0) - (counts[masters.indexOf(a)] ?? 0));
  const owner = finishing ?? currentOwner ?? byKeys[0] ?? importing[0] ?? migrating[0] ?? (masters[0] as ClusterNode);
  if (finishing === undefined && currentOwner === undefined && holders.length === 0) action = 'assigned-empty';

  let movedKeys = 0;
  // An owner that keeps the slot but still marks it MIGRATING (its target died, say) answers the
  // keys coming back with ASK: clear its mark first.
  if (owner.slots.has(slot) && owner.migrating.some((mark) => mark.slot === slot) && holders.some((holder) => holder.id !== owner.id)) {
    await context.pool.get(owner.address).setSlot(slot, 'STABLE');
  }
  for (const holder of holders) {
    if (holder.id === owner.id) continue;
    throwIfAborted(signal, 'fix');
    const source = context.pool.get(holder.address);
    // The holder must accept MIGRATE for keys of a slot it may not own: open it towards the owner.
    if (holder.slots.has(slot)) await source.setSlot(slot, 'MIGRATING', owner.id);
    else await source.setSlot(slot, 'IMPORTING', owner.id);
    if (!owner.slots.has(slot)) await context.pool.get(owner.address).setSlot(slot, 'IMPORTING', holder.id).catch(() => undefined);
    movedKeys += await moveToOwner(context, source, owner, slot, options, signal);
  }

  // Clear every mark, give the slot to the owner (the owner first, with a fresh epoch), then tell everyone.
  await Promise.all(masters.filter((m) => m.id !== owner.id).map((m) => context.pool.get(m.address).setSlot(slot, 'STABLE')));
  const ownerClient = context.pool.get(owner.address);
  await ownerClient.setSlot(slot, 'STABLE');
  await ownerClient.setSlot(slot, 'NODE', owner.id);
  if (currentOwner?.id !== owner.id || claimants.length > 1) await ownerClient.bumpEpoch();
  await Promise.all(masters.filter((m) => m.id !== owner.id).map((m) => context.pool.get(m.address).setSlot(slot, 'NODE', owner.id)));
  return { slot, owner: owner.id, action, movedKeys };
}

/** Moves a slot's keys from every other master to its (new) owner. */
async function gatherKeys(
  context: TopologyContext,
  state: ClusterState,
  slot: number,
  owner: ClusterNode,
  options: KeyMoveOptions,
  signal?: AbortSignal,
): Promise<number> {
  let moved = 0;
  for (const holder of state.masters.filter((m) => m.id !== owner.id && m.reachable && !m.failed)) {
    const source = context.pool.get(holder.address);
    if ((await source.countKeysInSlot(slot)) === 0) continue;
    await source.setSlot(slot, 'IMPORTING', owner.id);
    moved += await moveToOwner(context, source, owner, slot, options, signal);
    await source.setSlot(slot, 'STABLE');
  }
  return moved;
}

/** Moves every key of `slot` on `source` to `owner` (the slot must be open on the source). */
async function moveToOwner(
  context: TopologyContext,
  source: NodeClient,
  owner: ClusterNode,
  slot: number,
  options: KeyMoveOptions,
  signal?: AbortSignal,
): Promise<number> {
  const target = { host: owner.host, port: owner.port };
  const moved = await moveSlotKeys(context.pool, { slot, source, target, targetClient: context.pool.get(owner.address), targetReplicas: 0 }, options, { onBatch: () => undefined, onRetry: () => undefined }, signal);
  return moved.keys;
}

/** Empty uncovered slots go to the masters with the fewest slots, evening them out. */
async function spreadEmpty(context: TopologyContext, masters: readonly ClusterNode[], slots: SlotSet): Promise<FixReport['assigned']> {
  if (slots.isEmpty || masters.length === 0) return [];
  const counts = masters.map((m) => m.slots.size);
  const gives = masters.map(() => [] as number[]);
  for (const slot of slots) {
    let best = 0;
    for (let i = 1; i < masters.length; i++) if ((counts[i] as number) < (counts[best] as number)) best = i;
    counts[best] = (counts[best] as number) + 1;
    gives[best]?.push(slot);
  }
  const assigned: FixReport['assigned'] = [];
  await Promise.all(
    masters.map(async (master, i) => {
      const set = SlotSet.fromSlots(gives[i] ?? []);
      if (set.isEmpty) return;
      await context.pool.get(master.address).addSlots(set);
      assigned.push({ nodeId: master.id, slots: set.toString(), withKeys: false });
    }),
  );
  return assigned;
}

/** COUNTKEYSINSLOT for every slot of a set on one node (all in flight at once). */
async function countAll(node: NodeClient, slots: SlotSet): Promise<Map<number, number>> {
  const list = slots.toArray();
  const counts = await Promise.all(list.map((slot) => node.countKeysInSlot(slot)));
  return new Map(list.map((slot, i) => [slot, counts[i] ?? 0]));
}
