import { Redis } from 'ioredis';
import { SlotMigrator, keySlot, type ClusterNode, type ClusterState, type ClusterTopology, type LocalCluster } from '../../src/index';
import { findDisagreements } from '../../src/model/agreement';
import { redisCliCheck } from './redis-cli';

/** Every key of the cluster: its DUMP payload and absolute expiry (-1 = none), keyed by the name's hex. */
export type KeySnapshot = Map<string, { dump: string; expiresAt: number; node: string }>;

/** Reads every key of every reachable master that claims slots (SCAN, then DUMP + PTTL pipelined). */
export async function snapshotKeys(topology: ClusterTopology): Promise<KeySnapshot> {
  const state = await topology.refresh();
  const snapshot: KeySnapshot = new Map();
  for (const master of state.masters.filter((m) => m.reachable && !m.failed)) {
    const connection = new Redis({ host: master.host, port: master.port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    connection.on('error', () => undefined);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await connection.scanBuffer(cursor, 'COUNT', 1000);
        cursor = next.toString();
        if (keys.length === 0) continue;
        const pipeline = connection.pipeline();
        for (const key of keys) {
          pipeline.dumpBuffer(key);
          pipeline.pttl(key);
        }
        const now = Date.now();
        const replies = (await pipeline.exec()) ?? [];
        keys.forEach((key, i) => {
          const dump = replies[i * 2]?.[1] as Buffer | null;
          const ttl = Number(replies[i * 2 + 1]?.[1]);
          if (dump === null || dump === undefined) return;
          const name = key.toString('hex');
          if (snapshot.has(name)) throw new Error(`key ${key.toString()} is on two masters (${snapshot.get(name)?.node} and ${master.address})`);
          snapshot.set(name, { dump: dump.toString('hex'), expiresAt: ttl < 0 ? -1 : now + ttl, node: master.address });
        });
      } while (cursor !== '0');
    } finally {
      connection.disconnect();
    }
  }
  return snapshot;
}

/** Keys missing, added or changed (value bytes, or expiry off by more than `slackMs`). Empty when identical. */
export function compareSnapshots(before: KeySnapshot, after: KeySnapshot, slackMs = 5000): string[] {
  const problems: string[] = [];
  const name = (hex: string): string => Buffer.from(hex, 'hex').toString();
  for (const [key, value] of before) {
    const now = after.get(key);
    if (now === undefined) problems.push(`lost ${name(key)} (was on ${value.node})`);
    else if (now.dump !== value.dump) problems.push(`changed ${name(key)}`);
    else if ((value.expiresAt < 0) !== (now.expiresAt < 0) || Math.abs(now.expiresAt - value.expiresAt) > slackMs) problems.push(`expiry of ${name(key)} changed`);
  }
  for (const key of after.keys()) if (!before.has(key)) problems.push(`new key ${name(key)}`);
  return problems;
}

/** A hash tag whose keys land in `slot` (searched, so any slot works). */
export function tagForSlot(slot: number): string {
  for (let i = 0; ; i++) {
    const tag = `t${i}`;
    if (keySlot(tag) === slot) return tag;
  }
}

/** Writes `perSlot` keys into each slot (a third with a one-hour TTL), through an ioredis Cluster client. */
export async function writeSlotKeys(client: import('ioredis').Cluster, slots: readonly number[], perSlot: number, prefix: string): Promise<void> {
  await Promise.all(
    slots.flatMap((slot) => {
      const tag = tagForSlot(slot);
      return Array.from({ length: perSlot }, (_, i) => {
        const key = `{${tag}}:${prefix}:${i}`;
        const value = `${prefix}-${slot}-${i}-`.repeat(4);
        return i % 3 === 0 ? client.set(key, value, 'PX', 3_600_000) : client.set(key, value);
      });
    }),
  );
}

/** Polls until `done` holds (or throws naming `what` after `timeoutMs`). */
export async function waitFor<T>(what: string | (() => string), probe: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const started = Date.now();
  let last: unknown;
  for (;;) {
    try {
      const result = await probe();
      if (result !== undefined && result !== false) return result;
    } catch (error) {
      last = error;
    }
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}${last instanceof Error ? ` (last error: ${last.message})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Waits until a live master other than the victim claims every slot the victim served (the cluster's own failover). */
export async function waitForFailover(topology: ClusterTopology, victimId: string, victimSlots: readonly number[]): Promise<ClusterState> {
  let last: ClusterState | undefined;
  return waitFor(() => `the failover of ${victimId.slice(0, 8)} (last seen: ${last === undefined ? '-' : summarize(last)})`, async () => {
    const state = await topology.refresh();
    last = state;
    const ok = victimSlots.every((slot) => state.masters.some((m) => m.id !== victimId && m.reachable && !m.failed && m.slots.has(slot)));
    // Not every view need say cluster_state:ok: a node IMPORTING a slot of the victim ignores the new
    // owner's claim and keeps seeing that slot on a failed node until fix() closes the mark.
    return ok ? state : undefined;
  });
}

/** Waits until every node answers, none is flagged fail or PFAIL, every view agrees and says cluster_state:ok. */
export async function waitForHealthy(topology: ClusterTopology, expectedNodes: number): Promise<ClusterState> {
  let last: ClusterState | undefined;
  return waitFor(() => `a healthy, agreed cluster (last seen: ${last === undefined ? '-' : summarize(last)})`, async () => {
    const state = await topology.refresh();
    last = state;
    if (state.views.length < expectedNodes || state.nodes.some((n) => n.failed || n.suspected || !n.reachable)) return undefined;
    if (findDisagreements(state.views, { requireStateOk: true }).length > 0) return undefined;
    return state;
  });
}

/**
 * Waits until every replica of a slot-owning master is online and has every byte its master wrote
 * (offsets equal, no sync in progress). A master killed while its replica still syncs loses what the
 * replica lacks whatever any operation does: Redis replicates asynchronously. Each crash point starts
 * from replicas in sync, so a lost key there is the operation's doing.
 */
export async function waitForReplicasInSync(topology: ClusterTopology): Promise<void> {
  let lagging = '';
  await waitFor(() => `replicas in sync (${lagging})`, async () => {
    const state = await topology.refresh();
    const behind: string[] = [];
    for (const master of state.masters.filter((m) => m.slots.size > 0)) {
      const offset = Number((await topology.pool.get(master.address).info('replication'))['master_repl_offset']);
      for (const replica of state.replicasOf(master.id)) {
        // Read after the master's offset: a replica in sync has processed at least that much.
        const own = await topology.pool.get(replica.address).info('replication');
        const synced = own['master_link_status'] === 'up' && own['master_sync_in_progress'] === '0' && Number(own['slave_repl_offset']) >= offset;
        if (!synced) behind.push(`${replica.address} of ${master.address}: link ${own['master_link_status']}, sync ${own['master_sync_in_progress']}, offset ${own['slave_repl_offset']} of ${offset}`);
      }
    }
    lagging = behind.join('; ');
    return behind.length === 0;
  });
}

/** The oracle after a crash and repair: our check() and redis-cli agree it is clean, nothing left to fix, every key as before. */
export async function cleanAndIntact(local: LocalCluster, topology: ClusterTopology, before: KeySnapshot): Promise<string[]> {
  const problems: string[] = [];
  const report = await topology.check();
  for (const problem of report.problems.filter((p) => p.severity === 'error')) problems.push(`check(): ${problem.message}`);
  const cli = await redisCliCheck(local.seeds.find((_, i) => local.nodes[i]?.pid !== undefined) ?? local.seeds[0]!);
  if (!cli.ok) problems.push(`redis-cli --cluster check: ${cli.output.split('\n').filter((l) => l.includes('[ERR]') || l.includes('[WARNING]')).join(' | ') || cli.output.slice(-400)}`);
  const plan = await topology.planFix();
  if (plan.decisions.length > 0) problems.push(`planFix still finds ${plan.decisions.length} slot(s) to repair: ${JSON.stringify(plan.decisions.slice(0, 3))}`);
  problems.push(...compareSnapshots(before, await snapshotKeys(topology)).slice(0, 20));
  return problems;
}

/** One line per node: address, role, flags, slot count, marks, and what each view says of cluster_state. */
export function summarize(state: ClusterState): string {
  const nodes = state.nodes.map((n) => `${n.address} ${n.role}${n.failed ? ' fail' : ''}${n.suspected ? ' pfail' : ''}${n.reachable ? '' : ' unreachable'} e${n.configEpoch} ${n.slots.size} slots${n.migrating.length + n.importing.length > 0 ? ` ${n.migrating.length}m/${n.importing.length}i` : ''}`);
  return `${nodes.join('; ')} | states ${state.views.map((v) => v.clusterInfo['cluster_state']).join(',')}`;
}

/**
 * Gives every slot-owning master a replica again, taking one from a master that has two, or an
 * empty master (a node that came back after its failover may follow another master): the next
 * crash point needs a replica to fail over to.
 */
export async function restoreReplicas(topology: ClusterTopology): Promise<void> {
  let state = await topology.refresh();
  const lacking = (current: ClusterState): ClusterNode[] => current.masters.filter((m) => m.slots.size > 0 && !m.failed && !current.replicasOf(m.id).some((r) => !r.failed));
  const spares = (current: ClusterState): ClusterNode[] => [
    ...current.masters.filter((m) => m.slots.size === 0 && !m.failed && m.reachable),
    ...current.masters.flatMap((m) => current.replicasOf(m.id).filter((r) => !r.failed).slice(1)),
  ];
  // A victim that came back a master with a few slots (one it had just claimed) leaves some master without a
  // replica and no node to give it: hand its slots (and keys) to the largest master, so it can serve as one.
  const short = lacking(state).length - spares(state).length;
  if (short > 0) {
    const small = state.masters.filter((m) => m.slots.size > 0 && m.slots.size < 100 && !m.failed).sort((a, b) => a.slots.size - b.slots.size);
    for (const node of small.slice(0, short)) {
      const heir = [...state.masters].filter((m) => m.id !== node.id && !m.failed && m.slots.size > 0).sort((a, b) => b.slots.size - a.slots.size)[0];
      if (heir !== undefined) await new SlotMigrator(topology).reshard({ from: node.id, to: heir.id, slots: node.slots.toArray() });
    }
    state = (await topology.waitForConvergence()).state;
  }
  const spare = spares(state);
  for (const master of lacking(state)) {
    const replica = spare.shift();
    if (replica === undefined) return;
    await topology.replicate(replica.id, master.id);
  }
}
