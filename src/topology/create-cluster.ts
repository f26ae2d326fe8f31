import { ConvergenceTimeoutError, NodeNotEmptyError, NotClusterNodeError } from '../errors';
import { parseAddress } from '../model/address';
import { infoNumber } from '../model/info-parser';
import { parseCreatePlan } from '../plan/parse-create-plan';
import { SlotSet } from '../model/slot-set';
import type { NodePool } from '../net/node-pool';
import type { CreatePlan } from '../plan/create-plan';
import { pollUntil } from '../util/poll';
import { sleep, throwIfAborted } from '../util/abort';
import { runLimited } from '../util/run-limited';
import type { ConvergenceResult } from './convergence';
import { withShortNodeTimeouts } from './membership/fast-gossip';
import { staleViews } from './membership/stale-views';
import type { TopologyContext } from './topology-context';
import type { CreateStep } from './topology-events';

export interface CreateResult {
  plan: CreatePlan;
  /** Every node with its id and role, as created. */
  nodes: { id: string; address: string; role: 'master' | 'replica'; masterId?: string; slots?: string }[];
  elapsedMs: number;
}

/**
 * Executes a CreatePlan: preflight every node (cluster-enabled, empty, alone), assign slots,
 * give each node its own config epoch, meet every pair directly (no waiting on gossip), attach
 * replicas once they know their masters, then wait for cluster_state:ok everywhere.
 */
export interface ExecuteCreateOptions {
  signal?: AbortSignal;
  /**
   * Shorten the wait for cluster_state:ok. A fresh master that had no slots counts itself in a
   * minority and then waits min(cluster-node-timeout, 5000) ms before it turns ok (Redis's rejoin
   * delay). With fastJoin (clusters of up to 24 nodes) the masters run with cluster-node-timeout 500 only while the new, empty
   * cluster forms, and get their own value back before create() returns (also on failure).
   * @defaultValue true
   */
  fastJoin?: boolean;
}

export async function executeCreate(context: TopologyContext, input: CreatePlan, options: ExecuteCreateOptions = {}): Promise<CreateResult> {
  const plan = parseCreatePlan(input);
  const { signal } = options;
  const started = Date.now();
  const { pool } = context;
  const all = [...plan.masters.map((m) => m.address), ...plan.replicas.map((r) => r.address)];
  const step = async <T>(name: CreateStep, nodes: string[], work: () => Promise<T>): Promise<T> => {
    throwIfAborted(signal, 'create');
    const stepStart = Date.now();
    const result = await work();
    context.events.emit('create-step', { step: name, elapsedMs: Date.now() - stepStart, nodes });
    return result;
  };

  const ids = await step('preflight', all, () => preflight(pool, all));
  const form = (): Promise<CreateResult> => formCluster(context, plan, ids, step, started, signal);
  return options.fastJoin === false || !fastJoinApplies(all.length) ? form() : withShortNodeTimeouts(context, plan.masters.map((m) => m.address), form);
}

type StepRunner = <T>(name: CreateStep, nodes: string[], work: () => Promise<T>) => Promise<T>;

async function formCluster(
  context: TopologyContext,
  plan: CreatePlan,
  ids: Map<string, string>,
  step: StepRunner,
  started: number,
  signal: AbortSignal | undefined,
): Promise<CreateResult> {
  const { pool } = context;
  const all = [...plan.masters.map((m) => m.address), ...plan.replicas.map((r) => r.address)];
  await step('assign-slots', plan.masters.map((m) => m.address), () =>
    Promise.all(plan.masters.map((master) => pool.get(master.address).addSlots(SlotSet.parse(master.slots)))),
  );
  await step('set-epochs', all, () => Promise.all(all.map((address, index) => pool.get(address).setConfigEpoch(index + 1))));
  const joinTimeout = createTimeoutMs(context.options.convergenceTimeoutMs, all.length);
  await step('meet', all, () => meetEveryPair(pool, all, joinTimeout));
  await step('await-join', all, async () => {
    const result = await pollUntil(
      async () => {
        const views = await Promise.all(all.map((address) => pool.get(address).clusterNodes()));
        const missing = views.flatMap((nodes, index) => {
          const known = new Set(nodes.filter((n) => !n.handshake).map((n) => n.id));
          const lacking = [...ids.values()].filter((id) => !known.has(id));
          return lacking.length > 0 ? [`${all[index]} does not know ${lacking.length} node(s) yet`] : [];
        });
        return { done: missing.length === 0, missing };
      },
      { timeoutMs: joinTimeout, operation: 'create', ...(signal === undefined ? {} : { signal }) },
    );
    if (!result.done) throw new ConvergenceTimeoutError(joinTimeout, result.missing);
  });
  await step('replicate', plan.replicas.map((r) => r.address), () =>
    Promise.all(plan.replicas.map((replica) => pool.get(replica.address).replicate(ids.get(replica.of) as string))),
  );
  const converged: ConvergenceResult = await step('await-ok', all, () =>
    whileNudging(context, () =>
      context.waitForConvergence({ requireStateOk: true, requireHealthy: true, expectNodeIds: [...ids.values()], timeoutMs: joinTimeout, ...(signal === undefined ? {} : { signal }) }),
    ),
  );

  const elapsedMs = Date.now() - started;
  context.events.emit('create-done', { elapsedMs, masters: plan.masters.length, replicas: plan.replicas.length });
  return {
    plan,
    elapsedMs,
    nodes: converged.state.nodes.map((node) => ({
      id: node.id,
      address: node.address,
      role: node.role,
      ...(node.masterId === undefined ? {} : { masterId: node.masterId }),
      ...(node.role === 'master' ? { slots: node.slots.toString() } : {}),
    })),
  };
}

/**
 * Every node must run with cluster-enabled, hold no keys, serve no slots and know no other node
 * (checked in that order: keys first, since their slots follow from them). Read-only. Returns
 * address -> node id.
 */
export async function preflight(pool: NodePool, addresses: readonly string[]): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  await Promise.all(
    addresses.map(async (address) => {
      const client = pool.get(address);
      const server = await client.info('cluster');
      if (server['cluster_enabled'] !== '1') throw new NotClusterNodeError(address);
      const [clusterInfo, keys, id] = await Promise.all([client.clusterInfo(), client.dbsize(), client.myId()]);
      // Keys first: a node that loaded keys claims their slots, and only emptying it helps then.
      if (keys > 0) throw new NodeNotEmptyError(address, 'keys', `it holds ${keys} key(s)`);
      if ((infoNumber(clusterInfo, 'cluster_known_nodes') ?? 1) > 1) {
        throw new NodeNotEmptyError(address, 'knows-other-nodes', `it already knows ${clusterInfo['cluster_known_nodes']} nodes`);
      }
      if ((infoNumber(clusterInfo, 'cluster_slots_assigned') ?? 0) > 0) {
        throw new NodeNotEmptyError(address, 'slots', `it already serves ${clusterInfo['cluster_slots_assigned']} slot(s)`);
      }
      ids.set(address, id);
    }),
  );
  return ids;
}

/** Nodes meeting their peers at once: each sends its MEETs in one pipeline. */
const MEET_CONCURRENCY = 16;

/**
 * Every pair meets directly (no waiting on gossip to introduce them): node i sends one pipeline
 * of MEETs to every node after it. One write per node instead of one round trip per pair keeps a
 * 100-node create at 100 writes, not 4,950 calls.
 */
async function meetEveryPair(pool: NodePool, all: readonly string[], timeoutMs: number): Promise<void> {
  const targets = all.map((address) => parseAddress(address));
  await runLimited(all.slice(0, -1).map((_, index) => index), MEET_CONCURRENCY, async (index) => {
    const commands = targets.slice(index + 1).map((target) => ['CLUSTER', 'MEET', target.host, target.port] as const);
    // A MEET is answered at once by a node that gets CPU; one starved by thousands of handshakes
    // (or a busy host) answers late, which is harmless: wait as long as the join may take.
    const replies = await pool.get(all[index] as string).pipeline(commands, { timeoutMs });
    const failure = replies.find((reply) => reply instanceof Error);
    if (failure !== undefined) throw failure;
  });
}

/** Time each node gets, at least, to join a new cluster and agree on it (gossip grows with the nodes). */
const JOIN_MS_PER_NODE = 500;

/**
 * How long create() waits for the join and for strict agreement, each: the topology's
 * convergenceTimeoutMs, raised to 500 ms per node for large clusters (60 s at 120 nodes).
 */
export function createTimeoutMs(convergenceTimeoutMs: number, nodeCount: number): number {
  return Math.max(convergenceTimeoutMs, nodeCount * JOIN_MS_PER_NODE);
}

/** How often create() tells out-of-date nodes the news: a round of MEETs per second at most. */
const NUDGE_INTERVAL_MS = 1000;

/**
 * Runs `wait` while, once a second, every node some other node is out of date about (its role,
 * master or slots: see staleViews) sends that node a CLUSTER MEET. Redis takes a node's role and
 * slots only from a packet the node itself sends, and between known nodes with a 15 s
 * cluster-node-timeout the next one may come 7.5 s later; a MEET from a known node is such a
 * packet (the receiver updates its view and answers with a PONG; the sender drops the short-lived
 * handshake entry when the PONG names a node it knows). One pipeline per node that must speak;
 * replies and failures are ignored (the convergence wait decides).
 */
async function whileNudging<T>(context: TopologyContext, wait: () => Promise<T>): Promise<T> {
  let waiting = true;
  const nudging = (async () => {
    while (waiting) {
      await sleep(NUDGE_INTERVAL_MS);
      const views = context.state?.views;
      if (!waiting || views === undefined) continue;
      const addressOf = new Map(views.map((view) => [view.nodeId, view.address]));
      const bySubject = new Map<string, string[]>();
      for (const { viewer, subject } of staleViews(views)) bySubject.set(subject, [...(bySubject.get(subject) ?? []), viewer]);
      await runLimited([...bySubject], MEET_CONCURRENCY, async ([subject, viewers]) => {
        const address = addressOf.get(subject);
        if (address === undefined) return;
        const commands = viewers.map((viewer) => {
          const target = parseAddress(viewer);
          return ['CLUSTER', 'MEET', target.host, target.port] as const;
        });
        await context.pool
          .get(address)
          .pipeline(commands)
          .catch(() => undefined);
      });
    }
  })();
  try {
    return await wait();
  } finally {
    waiting = false;
    await nudging;
  }
}

/** Above this many nodes create() never lowers cluster-node-timeout: see fastJoinNodeTimeout. */
const FAST_JOIN_MAX_NODES = 24;

/**
 * Whether create() lowers the masters' cluster-node-timeout (fast gossip) while a new cluster
 * forms. A master that assigned itself slots still waits min(cluster-node-timeout, 5 s) from
 * that moment before it reports ok (Redis's rejoin delay), so a 500 ms timeout saves up to 4.5 s on
 * a small cluster. A large one takes longer than that to join anyway, and there a short timeout
 * only floods the cluster bus (each node pings every peer it has not heard from within half the
 * timeout) until busy nodes flag each other failed.
 */
export function fastJoinApplies(nodeCount: number): boolean {
  return nodeCount <= FAST_JOIN_MAX_NODES;
}
