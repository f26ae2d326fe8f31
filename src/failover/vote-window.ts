import type { ClusterNode } from '../model/cluster-state';
import type { NodePool } from '../net/node-pool';

/**
 * A master refuses to vote for a replica of master M within 2 x its cluster-node-timeout of its
 * last vote about M ("Failover auth denied ...: can't vote about this master before N
 * milliseconds"), and a manual failover gives up after 5 s without a word. So a failover of a
 * shard straight after the last one (a failover back, spreadMasters after a drill) would time out.
 * We remember when each shard last held an election, per NodePool (so every controller over one
 * ClusterTopology shares it), and wait out the window before the next one.
 */
const elections = new WeakMap<NodePool, Map<string, number>>();

/** Redis's default cluster-node-timeout, for voters that do not say theirs. */
const DEFAULT_NODE_TIMEOUT_MS = 15_000;
/** Slack over the window for clock granularity and the election's own round trips. */
const MARGIN_MS = 250;

/** Notes that the masters just voted about `masterId` (the failed-over master). */
export function recordElection(pool: NodePool, masterId: string, at = Date.now()): void {
  const byMaster = elections.get(pool) ?? new Map<string, number>();
  byMaster.set(masterId, at);
  elections.set(pool, byMaster);
}

/** How long to wait before the masters will vote about `masterId` again (0: at once). */
export async function voteWindowWait(pool: NodePool, masterId: string, voters: readonly ClusterNode[], now = Date.now()): Promise<number> {
  const last = elections.get(pool)?.get(masterId);
  if (last === undefined) return 0;
  const timeouts = await Promise.all(
    voters.map(async (voter) => {
      const value = Number((await pool.get(voter.address).configGet('cluster-node-timeout').catch(() => ({})) as Record<string, string>)['cluster-node-timeout']);
      return Number.isFinite(value) && value > 0 ? value : DEFAULT_NODE_TIMEOUT_MS;
    }),
  );
  const window = 2 * Math.max(0, ...timeouts) + MARGIN_MS;
  return Math.max(0, last + window - now);
}
