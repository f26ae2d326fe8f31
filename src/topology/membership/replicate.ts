import { ConvergenceTimeoutError, InvalidArgumentError, NodeUnreachableError } from '../../errors';
import { ClusterState } from '../../model/cluster-state';
import { throwIfAborted } from '../../util/abort';
import { pollUntil } from '../../util/poll';
import type { TopologyContext } from '../topology-context';
import { awaitState, roleProblems } from './await-state';
import { NotAMasterError, NotAReplicaError } from './errors';
import { restoreNodeTimeouts, withShortNodeTimeout } from './fast-gossip';
import { assertNodeId, assertWaitOptions, DEFAULT_MEMBERSHIP_OPTIONS, type ReplicateOptions } from './membership-options';
import type { MembershipOperation } from './membership-events';

export interface ReplicateResult {
  replicaId: string;
  address: string;
  masterId: string;
  masterAddress: string;
  /** The master it followed before, if it was a replica. */
  previousMasterId?: string;
  /** False when it already replicated `masterId` (nothing was sent). */
  changed: boolean;
  /** True when the replica shares its new master's host. */
  sameHost: boolean;
  elapsedMs: number;
}

/**
 * Pure: refuses a replicate() that cannot work, before anything is sent: unknown ids, a master
 * serving slots passed as the replica, a replica passed as the master, a failed master, a
 * replica we cannot reach.
 */
export function validateReplicate(state: ClusterState, replicaId: string, masterId: string): void {
  const replica = state.requireNode(replicaId);
  const master = state.requireNode(masterId);
  if (replicaId === masterId) {
    throw new InvalidArgumentError('masterId', masterId, 'is the replica itself', 'Pass the id of another master ("Can\'t replicate myself").');
  }
  if (master.role !== 'master') throw new NotAMasterError(master.id, master.address, master.masterId, 'it cannot be replicated');
  if (master.failed) {
    throw new InvalidArgumentError('masterId', masterId, `master ${master.address} is flagged fail`, 'Choose a working master (state.masters, not failed).');
  }
  if (replica.role === 'master' && replica.slots.size > 0) {
    throw new NotAReplicaError(replica.id, replica.address, replica.slots.size, 'a master serving slots cannot become a replica');
  }
  if (!replica.reachable) throw new NodeUnreachableError(replica.address, 'the replica does not answer, so it cannot be told to replicate another master');
}

/** Pure: refuses bad arguments of replicate() (before the lease is taken). */
export function checkReplicateArgs(replicaId: string, masterId: string, options: ReplicateOptions = {}): void {
  assertNodeId(replicaId, 'replicaId');
  assertNodeId(masterId, 'masterId');
  assertWaitOptions(options, 'replicate');
}

/**
 * CLUSTER REPLICATE on the replica, then waits until every node agrees on its new master and
 * (awaitSync) its replication link is up. An empty master (no slots, no keys) may be turned
 * into a replica too, as the runbook allows.
 */
export async function replicate(
  context: TopologyContext,
  replicaId: string,
  masterId: string,
  options: ReplicateOptions = {},
  operation: MembershipOperation = 'replicate',
): Promise<ReplicateResult> {
  checkReplicateArgs(replicaId, masterId, options);
  const started = Date.now();
  const state = await context.refresh();
  validateReplicate(state, replicaId, masterId);
  const replica = state.requireNode(replicaId);
  const master = state.requireNode(masterId);
  const sameHost = ClusterState.hostOf(replica) === ClusterState.hostOf(master);
  const base = { replicaId, address: replica.address, masterId, masterAddress: master.address, sameHost };
  const previous = replica.role === 'replica' && replica.masterId !== undefined ? { previousMasterId: replica.masterId } : {};
  if (replica.role === 'replica' && replica.masterId === masterId) {
    return { ...base, ...previous, changed: false, elapsedMs: Date.now() - started };
  }

  throwIfAborted(options.signal, 'replicate');
  // A node an interrupted operation left at the fast-gossip timeout gets its value back first.
  await restoreNodeTimeouts(context, state);
  const work = async (): Promise<void> => {
    const stepStart = Date.now();
    await context.pool.get(replica.address).replicate(masterId);
    context.events.emit('membership-step', { operation, step: 'replicate', nodeId: replicaId, address: replica.address, elapsedMs: Date.now() - stepStart });
    await awaitReplicaOf(context, replicaId, masterId, { ...options, operation });
  };
  if (options.fastGossip ?? DEFAULT_MEMBERSHIP_OPTIONS.fastGossip) await withShortNodeTimeout(context, replica.address, work);
  else await work();
  const result: ReplicateResult = { ...base, ...previous, changed: true, elapsedMs: Date.now() - started };
  context.events.emit('replica-moved', {
    replicaId,
    address: replica.address,
    ...(previous.previousMasterId === undefined ? {} : { fromMasterId: previous.previousMasterId }),
    toMasterId: masterId,
    sameHost,
    elapsedMs: result.elapsedMs,
  });
  return result;
}

/** Waits until every view lists `replicaId` as a replica of `masterId` and, with awaitSync, its link is up. */
export async function awaitReplicaOf(
  context: TopologyContext,
  replicaId: string,
  masterId: string,
  options: ReplicateOptions & { operation: MembershipOperation },
): Promise<void> {
  let stepStart = Date.now();
  const wait = { ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }), ...(options.signal === undefined ? {} : { signal: options.signal }) };
  const { state } = await awaitState(context, { ...wait, operation: options.operation, expectNodeIds: [replicaId], check: (s) => roleProblems(s, replicaId, { role: 'replica', masterId }) });
  const address = state.requireNode(replicaId).address;
  context.events.emit('membership-step', { operation: options.operation, step: 'await-replica', nodeId: replicaId, address, elapsedMs: Date.now() - stepStart });
  if (!(options.awaitSync ?? DEFAULT_MEMBERSHIP_OPTIONS.awaitSync)) return;
  stepStart = Date.now();
  const master = state.requireNode(masterId);
  const timeoutMs = options.timeoutMs ?? context.options.convergenceTimeoutMs;
  const synced = await pollUntil(
    async () => {
      const info = await context.pool.get(address).info('replication');
      const done = info['role'] === 'slave' && info['master_link_status'] === 'up' && info['master_host'] === master.host && Number(info['master_port']) === master.port;
      return { done, status: info['master_link_status'] ?? 'none' };
    },
    { timeoutMs, operation: options.operation, ...(options.signal === undefined ? {} : { signal: options.signal }) },
  );
  if (!synced.done) {
    throw new ConvergenceTimeoutError(timeoutMs, [`${address} has no replication link up to ${master.address} (master_link_status:${synced.status})`]);
  }
  context.events.emit('membership-step', { operation: options.operation, step: 'await-sync', nodeId: replicaId, address, elapsedMs: Date.now() - stepStart });
}
