import { InvalidArgumentError, PlanError } from '../../errors';
import { formatAddress, validateAddress, type NodeAddress } from '../../model/address';
import { ClusterState } from '../../model/cluster-state';
import { chooseReplicaMaster } from '../../plan/replica-target';
import { throwIfAborted } from '../../util/abort';
import type { TopologyContext } from '../topology-context';
import { awaitState, roleProblems } from './await-state';
import { NotAMasterError } from './errors';
import { restoreNodeTimeouts, withShortNodeTimeout } from './fast-gossip';
import { checkJoiningNode } from './join-checks';
import { assertNodeId, assertWaitOptions, DEFAULT_MEMBERSHIP_OPTIONS, type AddNodeOptions } from './membership-options';
import type { MembershipStep } from './membership-events';
import { awaitReplicaOf } from './replicate';

export interface AddNodeResult {
  nodeId: string;
  address: string;
  role: 'master' | 'replica';
  /** For a replica: the master it follows. */
  masterId?: string;
  /** For a replica: true when it shares its master's host (no master on another host was eligible). */
  sameHost?: boolean;
  /** For a replica without `of`: why this master was chosen. */
  reason?: string;
  elapsedMs: number;
}

/** Pure: validates addNode's arguments and, for a replica, resolves its master; nothing is sent. */
export function resolveAddNode(state: ClusterState, node: NodeAddress, options: AddNodeOptions): { address: NodeAddress; master?: { id: string; sameHost: boolean; reason?: string } } {
  const address = validateAddNodeInput(node, options);
  if (options.as === 'master') return { address };
  const host = ClusterState.hostOf({ host: address.host });
  if (options.of !== undefined) {
    const masterId = assertNodeId(options.of, 'of');
    const master = state.requireNode(masterId);
    if (master.role !== 'master') throw new NotAMasterError(master.id, master.address, master.masterId, 'addNode needs a master to replicate (of)');
    if (master.failed) throw new InvalidArgumentError('of', masterId, `master ${master.address} is flagged fail`, 'Choose a working master, or leave `of` out to pick one.');
    return { address, master: { id: masterId, sameHost: ClusterState.hostOf(master) === host } };
  }
  const choice = chooseReplicaMaster(state, host);
  if (choice === undefined) throw new PlanError('addNode: the cluster has no working master for the new replica to follow.', { address: formatAddress(address) });
  return { address, master: { id: choice.masterId, sameHost: choice.sameHost, reason: choice.reason } };
}

/** Pure: the checks that need no cluster state (address, `as`, `of` format, timeouts). */
export function validateAddNodeInput(node: NodeAddress, options: AddNodeOptions): NodeAddress {
  const address = validateAddress(node, 'node');
  if (options === null || typeof options !== 'object' || (options.as !== 'master' && options.as !== 'replica')) {
    throw new InvalidArgumentError('options.as', (options as { as?: unknown } | null)?.as, "not 'master' or 'replica'", "Pass { as: 'master' } or { as: 'replica', of?: masterId }.");
  }
  assertWaitOptions(options, 'addNode');
  if (options.as === 'replica' && options.of !== undefined) assertNodeId(options.of, 'of');
  return address;
}

/**
 * redis-cli add-node, verified: the new node must be cluster-enabled, empty and alone; every
 * reachable member MEETs it; resolves once every node knows it (and it knows them) and it
 * reports cluster_state:ok when the others do, so it can serve as a migration target at once.
 * A replica then gets CLUSTER REPLICATE, and addNode waits until every node agrees on its
 * master and (awaitSync) its first sync is done.
 */
export async function addNode(context: TopologyContext, node: NodeAddress, options: AddNodeOptions): Promise<AddNodeResult> {
  validateAddNodeInput(node, options);
  const started = Date.now();
  const state = await context.refresh();
  const resolved = resolveAddNode(state, node, options);
  const address = formatAddress(resolved.address);
  const operation = 'add-node' as const;
  const wait = { ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }), ...(options.signal === undefined ? {} : { signal: options.signal }) };
  const step = async <T>(name: MembershipStep, nodeId: string | undefined, work: () => Promise<T>): Promise<T> => {
    const stepStart = Date.now();
    const value = await work();
    context.events.emit('membership-step', { operation, step: name, ...(nodeId === undefined ? {} : { nodeId }), address, elapsedMs: Date.now() - stepStart });
    return value;
  };

  const nodeId = await step('preflight', undefined, () => checkJoiningNode(context.pool, state, resolved.address));
  // A node an interrupted operation left at the fast-gossip timeout gets its value back first.
  await restoreNodeTimeouts(context, state);
  const fastJoin = options.fastJoin ?? DEFAULT_MEMBERSHIP_OPTIONS.fastJoin;
  const spec: JoinSpec = { address, node: resolved.address, nodeId, started, wait, options, step, ...(resolved.master === undefined ? {} : { master: resolved.master }) };
  return fastJoin ? withShortNodeTimeout(context, address, () => join(context, spec, state)) : join(context, spec, state);
}

interface JoinSpec {
  address: string;
  node: NodeAddress;
  nodeId: string;
  started: number;
  wait: { timeoutMs?: number; signal?: AbortSignal };
  options: AddNodeOptions;
  step: <T>(name: MembershipStep, nodeId: string | undefined, work: () => Promise<T>) => Promise<T>;
  master?: { id: string; sameHost: boolean; reason?: string };
}

/** MEET from every member, await the join, then (replica) REPLICATE and await agreement and sync. */
async function join(context: TopologyContext, spec: JoinSpec, state: ClusterState): Promise<AddNodeResult> {
  const { address, nodeId, wait, options, step } = spec;
  const operation = 'add-node' as const;
  const members = state.views.map((view) => view.address);
  throwIfAborted(wait.signal, 'addNode');
  await step('meet', nodeId, () => Promise.all(members.map((member) => context.pool.get(member).meet(spec.node.host, spec.node.port))));
  await step('await-join', nodeId, () =>
    awaitState(context, {
      ...wait,
      operation: 'addNode',
      expectNodeIds: [nodeId],
      check: (current) => joinProblems(current, nodeId, options.as === 'master'),
    }),
  );
  const started = spec.started;
  if (spec.master === undefined) {
    const result: AddNodeResult = { nodeId, address, role: 'master', elapsedMs: Date.now() - started };
    context.events.emit('node-added', { nodeId, address, role: 'master', elapsedMs: result.elapsedMs });
    return result;
  }

  const master = spec.master;
  throwIfAborted(wait.signal, 'addNode');
  await step('replicate', nodeId, () => context.pool.get(address).replicate(master.id));
  await awaitReplicaOf(context, nodeId, master.id, {
    ...wait,
    operation,
    ...(options.as === 'replica' && options.awaitSync !== undefined ? { awaitSync: options.awaitSync } : {}),
  });
  const result: AddNodeResult = {
    nodeId,
    address,
    role: 'replica',
    masterId: master.id,
    sameHost: master.sameHost,
    ...(master.reason === undefined ? {} : { reason: master.reason }),
    elapsedMs: Date.now() - started,
  };
  context.events.emit('node-added', { nodeId, address, role: 'replica', masterId: master.id, sameHost: master.sameHost, elapsedMs: result.elapsedMs });
  return result;
}

/**
 * The new node must answer for itself and be seen as a master everywhere; a new master must
 * also report cluster_state:ok whenever every other node does (a migration target must be).
 */
function joinProblems(state: ClusterState, nodeId: string, requireOk: boolean): string[] {
  const own = state.views.find((view) => view.nodeId === nodeId);
  if (own === undefined) return [`${nodeId.slice(0, 8)} is not yet reachable through the cluster`];
  const problems = roleProblems(state, nodeId, { role: 'master' });
  const othersOk = state.views.every((view) => view.nodeId === nodeId || view.clusterInfo['cluster_state'] === 'ok');
  if (requireOk && othersOk && own.clusterInfo['cluster_state'] !== 'ok') problems.push(`${own.address} reports cluster_state:${own.clusterInfo['cluster_state'] ?? 'unknown'}`);
  return problems;
}
