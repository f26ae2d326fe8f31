import { CommandFailedError, InvalidArgumentError } from '../../errors';
import type { ClusterNode, ClusterState } from '../../model/cluster-state';
import { selfLine } from '../../model/node-view';
import { throwIfAborted } from '../../util/abort';
import { pollUntil } from '../../util/poll';
import type { TopologyContext } from '../topology-context';
import { ForgetIncompleteError, MasterHasReplicasError, MasterOwnsSlotsError, NodeStillReachableError } from './errors';
import { assertNodeId, assertWaitOptions, DEFAULT_MEMBERSHIP_OPTIONS, FORGET_BAN_MS, type ForgetOptions } from './membership-options';
import type { MembershipOperation } from './membership-events';

export interface ForgetResult {
  nodeId: string;
  address: string;
  /** Every reachable node, which now does not list it (told by us, or already forgotten). */
  forgottenBy: string[];
  /** Members we could not reach (they could not be told; e.g. other dead nodes). */
  skipped: { address: string; nodeId?: string }[];
  /** Rounds of CLUSTER FORGET (more than 1 when a node re-learned it from gossip). */
  rounds: number;
  elapsedMs: number;
}

/** Default and ceiling of forgetEverywhere's timeout: it must finish inside the 60 s ban. */
const DEFAULT_FORGET_TIMEOUT_MS = 30_000;

/**
 * Pure: refuses a forget that would do harm, before anything is sent: a node serving slots
 * in any view (its slots would be uncovered), a live node (unless allowLive), a master that
 * reachable replicas still follow ("Can't forget my master!").
 */
export function validateForget(state: ClusterState, nodeId: string, options: ForgetOptions = {}): ClusterNode {
  const node = state.requireNode(nodeId);
  const claimed = state.views.flatMap((view) => view.nodes.filter((line) => line.id === nodeId && line.slots.size > 0));
  const slots = claimed[0]?.slots ?? node.slots;
  if (slots.size > 0) throw new MasterOwnsSlotsError(nodeId, node.address, slots.toString(), 'forgetEverywhere');
  if (node.reachable && !(options.allowLive ?? DEFAULT_MEMBERSHIP_OPTIONS.allowLive)) {
    throw new NodeStillReachableError(
      nodeId,
      node.address,
      'forgetEverywhere',
      'A live node that the others forget keeps believing it is a member: use removeNode(id) to retire it (forget, then CLUSTER RESET), or pass { allowLive: true }.',
    );
  }
  const followers = state.views
    .map((view) => selfLine(view))
    .filter((line): line is NonNullable<typeof line> => line !== undefined && line.role === 'replica' && line.masterId === nodeId);
  if (followers.length > 0) throw new MasterHasReplicasError(nodeId, node.address, followers.map((line) => ({ id: line.id, address: line.address })));
  return node;
}

/**
 * CLUSTER FORGET on every other reachable node at once (each bans the id for 60 s), then
 * polls: a node that still lists the id is told again, until no node lists it and no node
 * holds its address in handshake. Works for dead nodes: they need not answer.
 */
/** Pure: refuses bad arguments of forgetEverywhere() (before the lease is taken). Returns the timeout. */
export function checkForgetArgs(nodeId: string, options: ForgetOptions = {}): number {
  assertNodeId(nodeId, 'nodeId');
  assertWaitOptions(options, 'forgetEverywhere');
  const timeoutMs = options.timeoutMs ?? DEFAULT_FORGET_TIMEOUT_MS;
  if (timeoutMs >= FORGET_BAN_MS) {
    throw new InvalidArgumentError('timeoutMs', timeoutMs, `not below the ${FORGET_BAN_MS / 1000} s CLUSTER FORGET ban`, 'Pass e.g. timeoutMs: 30000.');
  }
  return timeoutMs;
}

export async function forgetEverywhere(context: TopologyContext, nodeId: string, options: ForgetOptions = {}, operation: MembershipOperation = 'forget'): Promise<ForgetResult> {
  const timeoutMs = checkForgetArgs(nodeId, options);
  const started = Date.now();
  const state = await context.refresh();
  const node = validateForget(state, nodeId, options);
  const address = node.address;

  let rounds = 0;
  const tell = async (addresses: readonly string[]): Promise<void> => {
    rounds++;
    await Promise.all(
      addresses.map(async (target) => {
        try {
          await context.pool.get(target).forget(nodeId);
        } catch (error) {
          // Already forgotten (by an earlier round, or it never knew it): the goal is reached.
          if (!(error instanceof CommandFailedError && error.reply.startsWith('ERR Unknown node'))) throw error;
        }
      }),
    );
  };

  throwIfAborted(options.signal, 'forgetEverywhere');
  let stepStart = Date.now();
  await tell(listers(state, nodeId).map((view) => view.address));
  context.events.emit('membership-step', { operation, step: 'forget', nodeId, address, elapsedMs: Date.now() - stepStart });

  stepStart = Date.now();
  let lastState = state;
  const outcome = await pollUntil(
    async () => {
      lastState = await context.refresh();
      const stillListing = listers(lastState, nodeId).map((view) => view.address);
      if (stillListing.length > 0) await tell(stillListing);
      const handshaking = lastState.views.filter((view) => view.nodeId !== nodeId && view.nodes.some((line) => line.handshake && line.address === address));
      const waiting = [...stillListing, ...handshaking.map((view) => `${view.address} (handshake)`)];
      return { done: waiting.length === 0, waiting };
    },
    { timeoutMs: Math.max(0, timeoutMs - (Date.now() - started)), operation: 'forgetEverywhere', ...(options.signal === undefined ? {} : { signal: options.signal }) },
  );
  if (!outcome.done) throw new ForgetIncompleteError(nodeId, timeoutMs, outcome.waiting);
  context.events.emit('membership-step', { operation, step: 'await-forgotten', nodeId, address, elapsedMs: Date.now() - stepStart });

  const skipped = [
    ...lastState.unreachable.filter((entry) => entry.nodeId !== nodeId && entry.address !== address).map((entry) => ({ address: entry.address, ...(entry.nodeId === undefined ? {} : { nodeId: entry.nodeId }) })),
    ...lastState.nodes
      .filter((other) => !other.reachable && other.id !== nodeId && !lastState.unreachable.some((entry) => entry.address === other.address))
      .map((other) => ({ address: other.address, nodeId: other.id })),
  ];
  const forgottenBy = lastState.views.filter((view) => view.nodeId !== nodeId).map((view) => view.address).sort();
  const result: ForgetResult = { nodeId, address, forgottenBy, skipped, rounds, elapsedMs: Date.now() - started };
  context.events.emit('node-forgotten', { nodeId, address, nodes: forgottenBy.length, rounds, elapsedMs: result.elapsedMs });
  return result;
}

/** Views other than the node's own that list it (not in handshake). */
function listers(state: ClusterState, nodeId: string): ClusterState['views'][number][] {
  return state.views.filter((view) => view.nodeId !== nodeId && view.nodes.some((line) => line.id === nodeId && !line.handshake));
}
