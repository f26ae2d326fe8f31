import { PlanError } from '../errors';
import type { Emit } from '../util/emit';
import type { FailoverControllerEvents } from './failover-events';
import { formatAddress, validateAddress, type NodeAddress } from '../model/address';
import { ClusterState } from '../model/cluster-state';
import type { SlotSet } from '../model/slot-set';
import { chooseReplicaMaster } from '../plan/replica-target';
import { throwIfAborted } from '../util/abort';
import { pollUntil } from '../util/poll';
import { addNode } from '../topology/membership/add-node';
import { NodeStillReachableError } from '../topology/membership/errors';
import { forgetEverywhere } from '../topology/membership/forget-everywhere';
import { assertNodeId } from '../topology/membership/membership-options';
import type { TopologyContext } from '../topology/topology-context';
import { assertAddressNotTaken } from './address-takeover';
import { NoReplicaToPromoteError, PromotionTimeoutError } from './errors';
import { assertPositiveMs, assertSignal, type ReplaceNodeOptions } from './failover-options';

export type ReplaceStep = 'await-promotion' | 'forget' | 'add-replica';

export interface ReplaceStepEvent {
  deadId: string;
  step: ReplaceStep;
  elapsedMs: number;
}

export interface ReplaceNodeResult {
  deadId: string;
  deadAddress: string;
  deadRole: 'master' | 'replica';
  /** For a dead master: the replica the cluster promoted in its place (if replaceNode saw it happen). */
  promotedId?: string;
  /** The master the new node now replicates. */
  masterId: string;
  newNodeId: string;
  newNodeAddress: string;
  /** Nodes that forgot the dead one. */
  forgottenBy: string[];
  elapsedMs: number;
}

/** Pure: refuses bad arguments of replaceNode() (before the lease is taken). Returns the new node's address. */
export function checkReplaceNodeArgs(deadId: string, newNode: NodeAddress, options: ReplaceNodeOptions & { promotionTimeoutMs: number }): NodeAddress {
  assertNodeId(deadId, 'deadId');
  const address = validateAddress(newNode, 'newNode');
  if (options.of !== undefined) assertNodeId(options.of, 'of');
  assertPositiveMs(options.promotionTimeoutMs, 'promotionTimeoutMs');
  if (options.timeoutMs !== undefined) assertPositiveMs(options.timeoutMs, 'timeoutMs');
  assertSignal(options.signal);
  throwIfAborted(options.signal, 'replaceNode');
  return address;
}

/**
 * The runbook's host failure (section 13): when a master's host dies the cluster promotes its
 * replica; replaceNode waits for that promotion, makes every node forget the dead node, and adds
 * `newNode` as a replica of the promoted master (for a dead replica: of its master).
 */
export async function replaceNode(
  context: TopologyContext,
  deadId: string,
  newNode: NodeAddress,
  options: ReplaceNodeOptions & { promotionTimeoutMs: number },
  emit: Emit<Pick<FailoverControllerEvents, 'replace-step'>>,
): Promise<ReplaceNodeResult> {
  const address = checkReplaceNodeArgs(deadId, newNode, options);
  const started = Date.now();
  const wait = { ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }), ...(options.signal === undefined ? {} : { signal: options.signal }) };

  const state = await context.refresh();
  const dead = state.requireNode(deadId);
  if (dead.reachable) {
    throw new NodeStillReachableError(deadId, dead.address, 'replaceNode', 'replaceNode is for a dead node; to retire a live one use topology.removeNode(id).');
  }
  if (options.of !== undefined) state.requireNode(options.of);
  // Its address answered by a new server (noaddr): no promotion will ever come; refuse now.
  await assertAddressNotTaken(context, state, dead);

  let promotedId: string | undefined;
  let masterId = options.of;
  if (dead.role === 'master' && dead.slots.size > 0) {
    const stepStart = Date.now();
    promotedId = await awaitPromotion(context, dead.id, dead.address, dead.slots, state.replicasOf(deadId).map((r) => r.id), options);
    masterId ??= promotedId;
    emit('replace-step', { deadId, step: 'await-promotion', elapsedMs: Date.now() - stepStart });
  }

  let stepStart = Date.now();
  const forgotten = await forgetEverywhere(context, deadId, wait);
  emit('replace-step', { deadId, step: 'forget', elapsedMs: Date.now() - stepStart });

  if (masterId === undefined) {
    const current = await context.refresh();
    const ownMaster = dead.role === 'replica' && dead.masterId !== undefined ? current.node(dead.masterId) : undefined;
    if (ownMaster !== undefined && ownMaster.role === 'master' && !ownMaster.failed) {
      masterId = ownMaster.id;
    } else {
      // A dead master already replaced before this call: its successor is the master with the
      // fewest replicas (a promoted replica starts with none), on another host if possible.
      const choice = chooseReplicaMaster(current, ClusterState.hostOf({ host: address.host }));
      if (choice === undefined) throw new PlanError('replaceNode: no working master for the new node to replicate.', { deadId });
      masterId = choice.masterId;
    }
  }

  stepStart = Date.now();
  const added = await addNode(context, address, { as: 'replica', of: masterId, ...wait });
  emit('replace-step', { deadId, step: 'add-replica', elapsedMs: Date.now() - stepStart });

  return {
    deadId,
    deadAddress: dead.address,
    deadRole: dead.role,
    ...(promotedId === undefined ? {} : { promotedId }),
    masterId,
    newNodeId: added.nodeId,
    newNodeAddress: formatAddress(address),
    forgottenBy: forgotten.forgottenBy,
    elapsedMs: Date.now() - started,
  };
}

/** Waits until no view gives the dead master any slot and one live master serves all of them; returns its id. */
async function awaitPromotion(
  context: TopologyContext,
  deadId: string,
  deadAddress: string,
  slots: SlotSet,
  replicaIds: readonly string[],
  options: { promotionTimeoutMs: number; signal?: AbortSignal },
): Promise<string> {
  if (replicaIds.length === 0) throw new NoReplicaToPromoteError(deadId, deadAddress, slots.toString());
  const first = slots.ranges[0]?.[0] as number;
  const result = await pollUntil(
    async () => {
      const state = await context.refresh();
      const stillOwned = state.views.some((view) => view.nodes.some((line) => line.id === deadId && line.slots.size > 0));
      const owner = state.ownerOf(first);
      const done = !stillOwned && owner !== undefined && owner.id !== deadId && !owner.failed && slots.subtract(owner.slots).isEmpty;
      return { done, ownerId: owner?.id };
    },
    { timeoutMs: options.promotionTimeoutMs, operation: 'replaceNode', intervalMs: 100, ...(options.signal === undefined ? {} : { signal: options.signal }) },
  );
  if (!result.done || result.ownerId === undefined) throw new PromotionTimeoutError(deadId, deadAddress, replicaIds, options.promotionTimeoutMs);
  return result.ownerId;
}
