import { PlanError } from '../../errors';
import { ClusterState } from '../../model/cluster-state';
import { chooseReplicaMaster } from '../../plan/replica-target';
import { throwIfAborted } from '../../util/abort';
import { pollUntil } from '../../util/poll';
import type { TopologyContext } from '../topology-context';
import { MasterOwnsSlotsError } from './errors';
import { forgetEverywhere } from './forget-everywhere';
import { assertNodeId, assertWaitOptions, DEFAULT_MEMBERSHIP_OPTIONS, type RemoveNodeOptions } from './membership-options';
import { replicate } from './replicate';

export interface RemoveNodeResult {
  nodeId: string;
  address: string;
  role: 'master' | 'replica';
  /** Replicas of a removed (empty) master that now follow another master. */
  rehomed: { replicaId: string; toMasterId: string; sameHost: boolean }[];
  /** Addresses of the nodes that forgot it. */
  forgottenBy: string[];
  /** CLUSTER RESET SOFT ran on the removed node (it was reachable); otherwise why not. */
  reset: boolean;
  resetError?: string;
  shutdown: boolean;
  elapsedMs: number;
}

/** Pure: removeNode's refusal, before anything is sent: a master that serves slots in any view. */
export function validateRemove(state: ClusterState, nodeId: string): void {
  const node = state.requireNode(nodeId);
  const claimed = state.views.flatMap((view) => view.nodes.filter((line) => line.id === nodeId && line.slots.size > 0));
  const slots = claimed[0]?.slots ?? node.slots;
  if (slots.size > 0) throw new MasterOwnsSlotsError(nodeId, node.address, slots.toString(), 'removeNode');
}

/**
 * redis-cli del-node, verified: refuses a master that still serves slots; points the replicas
 * of an (empty) master at other masters (anti-affinity); makes every other node forget it
 * (forgetEverywhere); then CLUSTER RESET SOFT on the removed node so it does not rejoin, and
 * optionally SHUTDOWN.
 */
/** Pure: refuses bad arguments of removeNode() (before the lease is taken). */
export function checkRemoveNodeArgs(nodeId: string, options: RemoveNodeOptions = {}): void {
  assertNodeId(nodeId, 'nodeId');
  assertWaitOptions(options, 'removeNode');
}

export async function removeNode(context: TopologyContext, nodeId: string, options: RemoveNodeOptions = {}): Promise<RemoveNodeResult> {
  checkRemoveNodeArgs(nodeId, options);
  const started = Date.now();
  const state = await context.refresh();
  validateRemove(state, nodeId);
  const node = state.requireNode(nodeId);
  const wait = { ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }), ...(options.signal === undefined ? {} : { signal: options.signal }) };

  // Replicas of an empty master would be orphaned (and would refuse to forget their master).
  const rehomed: RemoveNodeResult['rehomed'] = [];
  const followers = state.replicasOf(nodeId).filter((replica) => replica.reachable);
  if (followers.length > 0) {
    const stepStart = Date.now();
    for (const replica of followers) {
      const current = await context.refresh();
      const choice = chooseReplicaMaster(current, ClusterState.hostOf(replica), { exclude: [nodeId, replica.id] });
      if (choice === undefined) {
        throw new PlanError(`removeNode refused: replica ${replica.address} of ${node.address} has no other master to follow. Add a master first, or remove the replica.`, {
          nodeId,
          replicaId: replica.id,
        });
      }
      const moved = await replicate(context, replica.id, choice.masterId, wait, 'remove-node');
      rehomed.push({ replicaId: replica.id, toMasterId: choice.masterId, sameHost: moved.sameHost });
    }
    context.events.emit('membership-step', { operation: 'remove-node', step: 'rehome-replicas', nodeId, address: node.address, elapsedMs: Date.now() - stepStart });
  }

  const forgotten = await forgetEverywhere(context, nodeId, { ...wait, allowLive: true }, 'remove-node');

  throwIfAborted(options.signal, 'removeNode');
  let reset = false;
  let resetError: string | undefined;
  const client = context.pool.get(node.address);
  if (node.reachable) {
    const stepStart = Date.now();
    try {
      await client.reset(false);
      reset = true;
    } catch (error) {
      resetError = error instanceof Error ? error.message : String(error);
    }
    context.events.emit('membership-step', { operation: 'remove-node', step: 'reset', nodeId, address: node.address, elapsedMs: Date.now() - stepStart });
  }
  const shutdown = (options.shutdown ?? DEFAULT_MEMBERSHIP_OPTIONS.shutdown) && node.reachable;
  if (shutdown) {
    const stepStart = Date.now();
    await client.call(['SHUTDOWN']).catch(() => undefined);
    const gone = await pollUntil(
      async () => ({ done: await client.ping().then(() => false, () => true) }),
      { timeoutMs: options.timeoutMs ?? context.options.convergenceTimeoutMs, operation: 'removeNode', ...(options.signal === undefined ? {} : { signal: options.signal }) },
    );
    if (!gone.done) throw new PlanError(`removeNode: ${node.address} was forgotten but still answers after SHUTDOWN. Stop it by hand.`, { nodeId, address: node.address });
    context.events.emit('membership-step', { operation: 'remove-node', step: 'shutdown', nodeId, address: node.address, elapsedMs: Date.now() - stepStart });
  }
  await context.pool.drop(node.address);

  const result: RemoveNodeResult = {
    nodeId,
    address: node.address,
    role: node.role,
    rehomed,
    forgottenBy: forgotten.forgottenBy,
    reset,
    ...(resetError === undefined ? {} : { resetError }),
    shutdown,
    elapsedMs: Date.now() - started,
  };
  context.events.emit('node-removed', { nodeId, address: node.address, role: node.role, reset, shutdown, elapsedMs: result.elapsedMs });
  return result;
}
