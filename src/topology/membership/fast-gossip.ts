import type { NodePool } from '../../net/node-pool';

/** cluster-node-timeout a node gets while the others must learn something from its pings. */
export const FAST_GOSSIP_NODE_TIMEOUT_MS = 500;

/**
 * Lowers one node's cluster-node-timeout to 500 ms and returns the function that restores its
 * own value. A node pings every peer it has not heard from for half its node timeout, so with
 * 500 ms it pings them all every 250 ms: a joining node learns every master's slots (and
 * leaves Redis's rejoin delay) at once, and the others learn a replica's new master from it
 * without waiting for the random gossip of a 15 s timeout. Only this node's own failure
 * detection gets faster meanwhile; its reports count only when it is a master among a quorum.
 */
export async function shortenNodeTimeout(pool: NodePool, address: string): Promise<() => Promise<void>> {
  try {
    const value = (await pool.get(address).configGet('cluster-node-timeout'))['cluster-node-timeout'];
    if (value === undefined || Number(value) <= FAST_GOSSIP_NODE_TIMEOUT_MS) return async () => undefined;
    await pool.get(address).configSet('cluster-node-timeout', FAST_GOSSIP_NODE_TIMEOUT_MS);
    return async () => {
      await pool.get(address).configSet('cluster-node-timeout', value).catch(() => undefined);
    };
  } catch {
    // CONFIG renamed or refused: everything still works, only gossip is slower.
    return async () => undefined;
  }
}
