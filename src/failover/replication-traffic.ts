import type { NodePool } from '../net/node-pool';
import { pollUntil } from '../util/poll';

const PING_PERIOD = 'repl-ping-replica-period';

/**
 * Redis before 6.2 reads a master's replication offset of 0 as "no offset received yet": a default
 * CLUSTER FAILOVER then waits for one until its 5 s limit and gives up ("Manual failover timed out"),
 * on every fresh master that has replicated nothing yet (cluster.c, mf_master_offset == 0; 6.2 uses
 * -1). Such a master is made to replicate something harmless first: its PINGs to its replicas go
 * through the replication stream, so with repl-ping-replica-period at 1 s the offset moves within a
 * second; the period is then restored. Nothing is done on newer servers or an offset above 0.
 */
export async function ensureReplicationOffset(pool: NodePool, masterAddress: string, signal?: AbortSignal): Promise<void> {
  const client = pool.get(masterAddress);
  if ((await client.capabilitiesIfKnown())?.manualFailoverNeedsOffset !== true) return;
  const offset = async (): Promise<number> => Number((await client.info('replication'))['master_repl_offset'] ?? 0);
  if ((await offset()) > 0) return;
  // CONFIG renamed away: go on without (the failover may then time out, with its own advice).
  const original = (await client.configGet(PING_PERIOD).catch(() => ({}) as Record<string, string>))[PING_PERIOD];
  if (original === undefined) return;
  await client.configSet(PING_PERIOD, 1);
  try {
    await pollUntil(async () => ({ done: (await offset()) > 0 }), { timeoutMs: 5000, operation: 'failover', ...(signal === undefined ? {} : { signal }) });
  } finally {
    await client.configSet(PING_PERIOD, original);
  }
}
