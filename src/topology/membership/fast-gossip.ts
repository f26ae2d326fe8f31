import { ClusterOpsError } from '../../errors';
import type { ClusterState } from '../../model/cluster-state';
import type { NodePool } from '../../net/node-pool';
import { sleep } from '../../util/abort';
import { FAST_GOSSIP_NODE_TIMEOUT_MS, nodeTimeoutOutliers, type NodeTimeoutOutlier, type NodeTimeoutReading } from '../node-timeout-rules';
import type { TopologyContext } from '../topology-context';

export { FAST_GOSSIP_NODE_TIMEOUT_MS };

/** Restoring a node's cluster-node-timeout after fastGossip failed: the node still runs at 500 ms. */
export class NodeTimeoutRestoreError extends ClusterOpsError {
  readonly address: string;

  constructor(address: string, valueMs: string, reason: string, options: { cause?: unknown; operationSucceeded: boolean }) {
    super(
      'ERR_NODE_TIMEOUT_RESTORE',
      `${options.operationSucceeded ? 'The operation completed, but restoring' : 'Restoring'} cluster-node-timeout ${valueMs} on ${address} failed: ${reason}. ` +
        `It still runs with cluster-node-timeout ${FAST_GOSSIP_NODE_TIMEOUT_MS}, which makes its failure detection jumpy: ` +
        `topology.fix() (or the next membership or failover operation) restores it, or run CONFIG SET cluster-node-timeout ${valueMs} on it.`,
      { cause: options.cause, details: { address, valueMs, operationSucceeded: options.operationSucceeded } },
    );
    this.address = address;
  }
}

/** Addresses this process lowered and has not restored yet, per pool (a restore pass leaves them alone). */
const lowered = new WeakMap<NodePool, Map<string, number>>();

function mark(pool: NodePool, address: string, delta: number): void {
  const map = lowered.get(pool) ?? new Map<string, number>();
  lowered.set(pool, map);
  const count = (map.get(address) ?? 0) + delta;
  if (count > 0) map.set(address, count);
  else map.delete(address);
}

/**
 * Runs `work` with one node's cluster-node-timeout lowered to 500 ms and restores the node's own
 * value afterwards. A node pings every peer it has not heard from for half its node timeout, so
 * with 500 ms it pings them all every 250 ms: a joining node learns every master's slots (and
 * leaves Redis's rejoin delay) at once, and the others learn a replica's new master from it
 * without waiting for the random gossip of a 15 s timeout. Only this node's own failure
 * detection gets faster meanwhile; its reports count only when it is a master among a quorum.
 *
 * The restore is retried and never swallowed: when `work` succeeded it throws
 * NodeTimeoutRestoreError; when `work` failed its error wins and the restore failure is emitted as
 * `node-timeout-restore-failed`. A process killed in between leaves the node at 500 ms: check()
 * reports it and restoreNodeTimeouts() (run by the next operation and by fix()) sets it back.
 */
export async function withShortNodeTimeout<T>(context: TopologyContext, address: string, work: () => Promise<T>): Promise<T> {
  const client = context.pool.get(address);
  let original: string | undefined;
  try {
    const value = (await client.configGet('cluster-node-timeout'))['cluster-node-timeout'];
    if (value !== undefined && Number(value) > FAST_GOSSIP_NODE_TIMEOUT_MS) {
      mark(context.pool, address, 1);
      original = value;
      await client.configSet('cluster-node-timeout', FAST_GOSSIP_NODE_TIMEOUT_MS);
    }
  } catch {
    // CONFIG renamed or refused: everything still works, only gossip is slower. If the SET was
    // sent and its reply lost, the restore below sets the value back all the same.
  }
  if (original === undefined) return work();
  const restore = async (operationSucceeded: boolean): Promise<void> => {
    try {
      await setWithRetry(context.pool, address, original as string);
    } catch (error) {
      throw new NodeTimeoutRestoreError(address, original as string, error instanceof Error ? error.message : String(error), { cause: error, operationSucceeded });
    } finally {
      mark(context.pool, address, -1);
    }
  };
  let result: T;
  try {
    result = await work();
  } catch (error) {
    await restore(false).catch((restoreError: NodeTimeoutRestoreError) => {
      context.events.emit('node-timeout-restore-failed', { address, valueMs: Number(original), reason: restoreError.message });
    });
    throw error;
  }
  await restore(true);
  return result;
}

/** withShortNodeTimeout for several nodes at once (create's masters). */
export async function withShortNodeTimeouts<T>(context: TopologyContext, addresses: readonly string[], work: () => Promise<T>): Promise<T> {
  const [first, ...rest] = addresses;
  if (first === undefined) return work();
  return withShortNodeTimeout(context, first, () => withShortNodeTimeouts(context, rest, work));
}

async function setWithRetry(pool: NodePool, address: string, value: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await pool.get(address).configSet('cluster-node-timeout', value);
      return;
    } catch (error) {
      if (attempt >= 3) throw error;
      await sleep(100 * attempt);
    }
  }
}

/** Every reachable node's cluster-node-timeout (CONFIG GET; undefined where CONFIG is refused). */
export async function readNodeTimeouts(pool: NodePool, state: ClusterState): Promise<NodeTimeoutReading[]> {
  return Promise.all(
    state.views.map(async (view) => {
      // check() reads it with the view, in the same round.
      if ('nodeTimeoutMs' in view) return { nodeId: view.nodeId, address: view.address, valueMs: view.nodeTimeoutMs };
      const value = await pool
        .get(view.address)
        .configGet('cluster-node-timeout')
        .then((reply) => reply['cluster-node-timeout'])
        .catch(() => undefined);
      const valueMs = value === undefined || !Number.isFinite(Number(value)) ? undefined : Number(value);
      return { nodeId: view.nodeId, address: view.address, valueMs };
    }),
  );
}

/**
 * Sets every node an interrupted operation left at the fast-gossip value back to the value most
 * nodes have (see intendedNodeTimeout), except nodes this process has lowered right now. Other
 * outliers (values an operator chose) are left alone: check() reports them. Emits
 * `node-timeout-restored` per node. A failed CONFIG SET throws NodeTimeoutRestoreError.
 */
export async function restoreNodeTimeouts(context: TopologyContext, state?: ClusterState): Promise<NodeTimeoutOutlier[]> {
  const snapshot = state ?? (await context.refresh());
  const busy = lowered.get(context.pool);
  const outliers = nodeTimeoutOutliers(await readNodeTimeouts(context.pool, snapshot)).filter((outlier) => outlier.leftLowered && !(busy?.has(outlier.address) ?? false));
  for (const outlier of outliers) {
    try {
      await setWithRetry(context.pool, outlier.address, String(outlier.intendedMs));
    } catch (error) {
      throw new NodeTimeoutRestoreError(outlier.address, String(outlier.intendedMs), error instanceof Error ? error.message : String(error), { cause: error, operationSucceeded: false });
    }
    context.events.emit('node-timeout-restored', { nodeId: outlier.nodeId, address: outlier.address, fromMs: outlier.valueMs, toMs: outlier.intendedMs });
  }
  return outliers;
}
