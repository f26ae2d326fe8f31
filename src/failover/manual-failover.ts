import { CommandFailedError, ConvergenceTimeoutError, InvalidArgumentError, NodeUnreachableError } from '../errors';
import type { ClusterNode, ClusterState } from '../model/cluster-state';
import { SlotSet } from '../model/slot-set';
import { awaitState, roleProblems } from '../topology/membership/await-state';
import { NotAReplicaError, ReplicaOfOtherMasterError } from '../topology/membership/errors';
import { restoreNodeTimeouts, withShortNodeTimeout } from '../topology/membership/fast-gossip';
import { assertNodeId } from '../topology/membership/membership-options';
import type { TopologyContext } from '../topology/topology-context';
import { pollUntil } from '../util/poll';
import { sleep, throwIfAborted } from '../util/abort';
import { FailoverRefusedError, FailoverTimeoutError } from './errors';
import { voterNodeTimeouts } from './vote-window';
import type { Emit } from '../util/emit';
import type { FailoverControllerEvents } from './failover-events';
import { ensureReplicationOffset } from './replication-traffic';
import { assertPositiveMs, assertSignal, DEFAULT_FAILOVER_OPTIONS, FAILOVER_MODES, type FailoverMode, type FailoverOptions } from './failover-options';

export interface FailoverResult {
  mode: FailoverMode;
  /** The former replica, now master. */
  newMasterId: string;
  newMasterAddress: string;
  /** The former master (now its replica, when it is alive). */
  oldMasterId: string;
  oldMasterAddress: string;
  /** True when the old master answered and now replicates the new one. */
  oldMasterDemoted: boolean;
  /** The new master's config epoch, and the old master's before the failover (the runbook: it grows each time). */
  configEpoch: number;
  previousConfigEpoch: number;
  /** cluster_current_epoch on the new master afterwards. */
  currentEpoch: number;
  /** Slots the new master serves, CLUSTER NODES form. */
  slots: string;
  /** Time spent waiting for the masters' vote window after an earlier failover of this shard (included in elapsedMs). */
  voteWaitMs: number;
  elapsedMs: number;
}

export interface FailoverStartEvent {
  replicaId: string;
  replicaAddress: string;
  masterId: string;
  masterAddress: string;
  mode: FailoverMode;
}

/** failover() waits because the masters voted about this shard moments ago and would refuse again. */
export interface FailoverWaitEvent {
  replicaId: string;
  masterId: string;
  waitMs: number;
  reason: string;
}

/** Pure: refuses a failover that cannot work, before anything is sent. Returns the pair. */
export function validateFailover(state: ClusterState, replicaId: string, options: { mode: FailoverMode; of?: string }): { replicaAddress: string; masterId: string } {
  const replica = state.requireNode(replicaId);
  if (replica.role !== 'replica') throw new NotAReplicaError(replica.id, replica.address, replica.slots.size, 'CLUSTER FAILOVER must be sent to a replica ("You should send CLUSTER FAILOVER to a replica")');
  if (options.of !== undefined) {
    state.requireNode(options.of);
    if (replica.masterId !== options.of) throw new ReplicaOfOtherMasterError(replica.id, replica.address, replica.masterId, options.of);
  }
  if (replica.masterId === undefined) {
    throw new FailoverRefusedError(replica.id, replica.address, options.mode, "the replica's master is unknown", 'Point it at a master first with topology.replicate().');
  }
  if (!replica.reachable) throw new NodeUnreachableError(replica.address, 'the replica must answer to be told CLUSTER FAILOVER');
  if (replica.failed) {
    throw new FailoverRefusedError(replica.id, replica.address, options.mode, 'the cluster flags this replica fail', 'Choose a working replica of the same master.');
  }
  const master = state.node(replica.masterId);
  if (options.mode === 'default' && (master === undefined || master.failed || !master.reachable)) {
    throw new FailoverRefusedError(
      replica.id,
      replica.address,
      options.mode,
      `its master ${master?.address ?? replica.masterId} is down or failed`,
      "A default failover needs the master's cooperation: use { mode: 'force' } (or 'takeover' when most masters are down).",
    );
  }
  return { replicaAddress: replica.address, masterId: replica.masterId };
}

/** Pure: refuses bad arguments of failover() (before the lease is taken). Returns the mode. */
export function checkFailoverArgs(replicaId: string, options: FailoverOptions & { timeoutMs: number }): FailoverMode {
  assertNodeId(replicaId, 'replicaId');
  const mode = options.mode ?? DEFAULT_FAILOVER_OPTIONS.mode;
  if (!FAILOVER_MODES.includes(mode)) {
    throw new InvalidArgumentError('mode', mode, "not 'default', 'force' or 'takeover'", "Pass { mode: 'default' } (no write lost), 'force' (master down) or 'takeover' (no vote).");
  }
  assertPositiveMs(options.timeoutMs, 'timeoutMs');
  assertSignal(options.signal);
  throwIfAborted(options.signal, 'failover');
  if (options.of !== undefined) assertNodeId(options.of, 'of');
  return mode;
}

/**
 * CLUSTER FAILOVER [FORCE|TAKEOVER] on the replica, then waits until it is master with every
 * slot its master had, its old master (when alive) is its replica, and every node agrees.
 */
export async function runFailover(
  context: TopologyContext,
  replicaId: string,
  options: FailoverOptions & { timeoutMs: number },
  emit: Emit<Pick<FailoverControllerEvents, 'failover-start' | 'failover-wait'>> = () => undefined,
): Promise<FailoverResult> {
  const mode = checkFailoverArgs(replicaId, options);
  const started = Date.now();
  const state = await context.refresh();
  const { replicaAddress, masterId } = validateFailover(state, replicaId, { mode, ...(options.of === undefined ? {} : { of: options.of }) });
  const master = state.requireNode(masterId);
  const masterSlots = master.slots;
  const masterAlive = master.reachable && !master.failed;
  // A node an interrupted operation left at the fast-gossip timeout gets its value back first
  // (the vote window below reads the voters' timeouts).
  await restoreNodeTimeouts(context, state);
  emit('failover-start', { replicaId, replicaAddress, masterId, masterAddress: master.address, mode });

  // Default and force need the masters' votes, which Redis refuses about one master for
  // 2 x cluster-node-timeout after the last election about it: wait that out rather than time out.
  const { voteWindow } = context;
  const voters = state.masters.filter((m) => m.reachable && !m.failed && m.id !== replicaId);
  const voteWaitMs = mode === 'takeover' || !voteWindow.has(masterId) ? 0 : voteWindow.waitMs(masterId, await voterNodeTimeouts(context.pool, voters));
  if (voteWaitMs > 0) {
    emit('failover-wait', { replicaId, masterId, waitMs: voteWaitMs, reason: `the masters voted about ${master.address} moments ago and refuse to vote about it again for 2 x cluster-node-timeout` });
    await sleep(voteWaitMs, options.signal, 'failover');
  }

  // Before Redis 6.2 a default failover stalls on a master that has replicated nothing yet.
  if (mode === 'default' && masterAlive) await ensureReplicationOffset(context.pool, master.address, options.signal);

  // The others learn that the old master became a replica only from its own pings: with a 15 s
  // cluster-node-timeout that takes seconds, and until then they refuse to vote for it ("it is
  // a master node"), so a failover back would fail. A 500 ms timeout makes it ping them all now.
  const work = async (): Promise<FailoverResult> => {
    const result = await switchOver(context, {
      replicaId,
      replicaAddress,
      master,
      masterSlots,
      masterAlive,
      mode,
      started: Date.now(),
      timeoutMs: options.timeoutMs,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    if (mode !== 'takeover') context.voteWindow.record(masterId);
    return { ...result, voteWaitMs, elapsedMs: Date.now() - started };
  };
  return masterAlive && (options.fastGossip ?? DEFAULT_FAILOVER_OPTIONS.fastGossip) ? withShortNodeTimeout(context, master.address, work) : work();
}

interface SwitchSpec {
  replicaId: string;
  replicaAddress: string;
  master: ClusterNode;
  masterSlots: SlotSet;
  masterAlive: boolean;
  mode: FailoverMode;
  started: number;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Sends CLUSTER FAILOVER and waits for the new configuration everywhere. */
async function switchOver(context: TopologyContext, spec: SwitchSpec): Promise<Omit<FailoverResult, 'voteWaitMs'>> {
  const { replicaId, replicaAddress, master, masterSlots, masterAlive, mode } = spec;
  const masterId = master.id;
  throwIfAborted(spec.signal, 'failover');
  if (mode === 'default' && masterAlive) await awaitReplicaLink(context, replicaAddress, spec);
  try {
    await context.pool.get(replicaAddress).failover(mode);
  } catch (error) {
    if (error instanceof CommandFailedError) {
      const fix = error.reply.includes('FORCE') ? "Use { mode: 'force' }." : 'Check the replica with topology.check().';
      throw new FailoverRefusedError(replicaId, replicaAddress, mode, error.reply, fix);
    }
    throw error;
  }

  let after: ClusterState;
  try {
    ({ state: after } = await awaitState(context, {
      timeoutMs: spec.timeoutMs,
      operation: 'failover',
      ...(spec.signal === undefined ? {} : { signal: spec.signal }),
      check: (current) => [
        ...roleProblems(current, replicaId, { role: 'master' }),
        ...(masterAlive ? roleProblems(current, masterId, { role: 'replica', masterId: replicaId }) : []),
        ...slotProblems(current, replicaId, masterSlots),
      ],
    }));
  } catch (error) {
    if (error instanceof ConvergenceTimeoutError) throw new FailoverTimeoutError(replicaId, replicaAddress, mode, spec.timeoutMs, error.disagreements);
    throw error;
  }

  const promoted = after.requireNode(replicaId);
  const ownView = after.views.find((view) => view.nodeId === replicaId);
  return {
    mode,
    newMasterId: replicaId,
    newMasterAddress: promoted.address,
    oldMasterId: masterId,
    oldMasterAddress: master.address,
    oldMasterDemoted: masterAlive,
    configEpoch: promoted.configEpoch,
    previousConfigEpoch: master.configEpoch,
    currentEpoch: Number(ownView?.clusterInfo['cluster_current_epoch'] ?? promoted.configEpoch),
    slots: promoted.slots.toString(),
    elapsedMs: Date.now() - spec.started,
  };
}

/** The new master must serve every slot its master served, in every view. */
function slotProblems(state: ClusterState, nodeId: string, expected: SlotSet): string[] {
  if (expected.isEmpty) return [];
  const problems: string[] = [];
  for (const view of state.views) {
    const line = view.nodes.find((node) => node.id === nodeId);
    const missing = expected.subtract(line?.slots ?? SlotSet.EMPTY);
    if (!missing.isEmpty) problems.push(`${view.address} does not yet see ${nodeId.slice(0, 8)} serving ${missing.size} of the slots`);
  }
  return problems;
}

/**
 * A default failover is a handshake over the replication link: sent while the replica is still in
 * a (full) sync, Redis lets it time out after 5 s without a word. So wait for the link to be up and
 * the sync done first (bounded by the failover's own timeout).
 */
async function awaitReplicaLink(context: TopologyContext, replicaAddress: string, spec: SwitchSpec): Promise<void> {
  const client = context.pool.get(replicaAddress);
  await pollUntil(
    async () => {
      const info = await client.info('replication');
      return { done: info['master_link_status'] === 'up' && info['master_sync_in_progress'] === '0' };
    },
    { timeoutMs: Math.max(1000, spec.timeoutMs - (Date.now() - spec.started)), operation: 'failover', ...(spec.signal === undefined ? {} : { signal: spec.signal }) },
  );
}
