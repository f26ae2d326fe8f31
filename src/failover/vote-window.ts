import type { ClusterNode } from '../model/cluster-state';
import type { NodePool } from '../net/node-pool';

/** Redis's default cluster-node-timeout, for voters that do not say theirs. */
const DEFAULT_NODE_TIMEOUT_MS = 15_000;

/** The voters' cluster-node-timeout values (CONFIG GET), Redis's default for any that does not answer. */
export async function voterNodeTimeouts(pool: NodePool, voters: readonly ClusterNode[]): Promise<number[]> {
  return Promise.all(
    voters.map(async (voter) => {
      const value = Number((await pool.get(voter.address).configGet('cluster-node-timeout').catch(() => ({})) as Record<string, string>)['cluster-node-timeout']);
      return Number.isFinite(value) && value > 0 ? value : DEFAULT_NODE_TIMEOUT_MS;
    }),
  );
}
