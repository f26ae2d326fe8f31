import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from 'ioredis';
import { FailoverController, keySlot, replicaReadCluster, type ClusterTopology } from '../../src/index';
import { pollUntil } from '../../src/util/poll';
import { startTestCluster, stopTestCluster, type TestCluster } from '../helpers/test-cluster';

/** A key of one of these slots. */
function findKey(slots: { has(slot: number): boolean }, prefix: string): string {
  for (let i = 0; ; i++) if (slots.has(keySlot(`${prefix}${i}`))) return `${prefix}${i}`;
}

describe('replicaReadCluster sends reads to replicas', () => {
  let cluster: Partial<TestCluster> = {};
  let topology: ClusterTopology;
  let client: Cluster;

  /** GET calls per node address, from each node's INFO commandstats. */
  const getCalls = async (): Promise<Map<string, number>> => {
    const state = await topology.refresh();
    const entries = await Promise.all(
      state.nodes.map(async (node) => {
        const stats = await topology.pool.get(node.address).info('commandstats');
        return [node.address, Number(/calls=(\d+)/.exec(stats['cmdstat_get'] ?? '')?.[1] ?? 0)] as const;
      }),
    );
    return new Map(entries);
  };
  /** GETs served by masters and by replicas (roles as they are now) since `before`. */
  const servedSince = async (before: Map<string, number>): Promise<{ masters: number; replicas: number }> => {
    const after = await getCalls();
    const state = await topology.refresh();
    const served = { masters: 0, replicas: 0 };
    for (const node of state.nodes) served[node.role === 'master' ? 'masters' : 'replicas'] += (after.get(node.address) ?? 0) - (before.get(node.address) ?? 0);
    return served;
  };
  const replicasInSync = async (): Promise<void> => {
    const synced = await pollUntil(
      async () => {
        const state = await topology.refresh();
        const infos = await Promise.all(state.replicas.map((node) => topology.pool.get(node.address).info('replication')));
        return { done: state.replicas.length === 3 && infos.every((info) => info['master_link_status'] === 'up') };
      },
      { timeoutMs: 30_000, operation: 'every replica in sync' },
    );
    expect(synced.done).toBe(true);
  };

  beforeAll(async () => {
    // The master pings its replicas through the replication stream every repl-ping-replica-period: at
    // 60 s, a replica's offset stays where the initial sync left it, and Redis 7.0 keeps it out of
    // CLUSTER SLOTS, as on any fresh cluster in its first seconds.
    cluster = await startTestCluster(
      { masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 2000, config: { 'repl-ping-replica-period': 60, 'repl-diskless-sync-delay': 0 } },
      { convergenceTimeoutMs: 20_000 },
    );
    topology = cluster.topology!;
    client = cluster.client!;
    await replicasInSync();
  });
  afterAll(() => stopTestCluster(cluster));

  it('from the first command on, on a fresh cluster, and reads what the masters hold', async () => {
    const before = await getCalls();
    const readers = replicaReadCluster(topology);
    try {
      // Sent at once: queued until the client is ready.
      const keys = Array.from({ length: 300 }, (_, i) => `fresh:${i}`);
      expect(await Promise.all(keys.map((key) => readers.get(key)))).toEqual(keys.map(() => null));
      expect(await servedSince(before)).toEqual({ masters: 0, replicas: 300 });

      await Promise.all(keys.slice(0, 30).map((key) => client.set(key, `v-${key}`)));
      const written = await getCalls();
      const served = await pollUntil(async () => ({ done: (await Promise.all(keys.slice(0, 30).map((key) => readers.get(key)))).every((value, i) => value === `v-${keys[i]}`) }), {
        timeoutMs: 10_000,
        operation: 'replicas serve the written values',
      });
      expect(served.done).toBe(true);
      expect((await servedSince(written)).masters).toBe(0);
    } finally {
      readers.disconnect();
    }
  });

  it('soon after a manual failover, reads of that shard go to its new replica (the old master)', async () => {
    // A write to every shard moves the replicas' offsets: CLUSTER SLOTS lists them all, so before the
    // failover even a client that trusts CLUSTER SLOTS reads from replicas.
    const owners = (await topology.refresh()).slotOwners;
    await Promise.all(owners.map((owner, i) => client.set(findKey(owner.slots, `moved:${i}:`), '1')));
    const listed = await pollUntil(
      async () => {
        const state = await topology.refresh();
        const replies = await Promise.all(state.nodes.map((node) => topology.pool.get(node.address).call(['CLUSTER', 'SLOTS']) as Promise<unknown[][]>));
        return { done: replies.every((ranges) => ranges.every((range) => range.length >= 4)) };
      },
      { timeoutMs: 20_000, operation: 'CLUSTER SLOTS lists every replica' },
    );
    expect(listed.done).toBe(true);
    const readers = replicaReadCluster(topology);
    try {
      const keysOf = (slots: { has(slot: number): boolean }): string[] => Array.from({ length: 30 }, (_, i) => findKey(slots, `shard:${i}:`));
      const state = await topology.refresh();
      const master = state.slotOwners[0]!;
      const replica = state.replicasOf(master.id)[0]!;
      const keys = keysOf(master.slots);
      const warm = await getCalls();
      await Promise.all(keys.map((key) => readers.get(key)));
      expect((await servedSince(warm)).masters).toBe(0);

      await new FailoverController(topology).failover(replica.id);
      const followed = await pollUntil(
        async () => {
          const before = await getCalls();
          await Promise.all(keys.map((key) => readers.get(key)));
          return { done: (await servedSince(before)).masters === 0 };
        },
        { timeoutMs: 15_000, operation: 'reads of the failed-over shard back on a replica', intervalMs: 200 },
      );
      expect(followed.done).toBe(true);
      const before = await getCalls();
      const all = Array.from({ length: 200 }, (_, i) => `after:${i}`);
      await Promise.all(all.map((key) => readers.get(key)));
      expect(await servedSince(before)).toEqual({ masters: 0, replicas: 200 });
    } finally {
      readers.disconnect();
    }
    // The client's replica connections (CLIENT LIST flag r: READONLY) close with it.
    const closed = await pollUntil(
      async () => {
        const state = await topology.refresh();
        const lists = await Promise.all(state.replicas.map((node) => topology.pool.get(node.address).call(['CLIENT', 'LIST']) as Promise<string>));
        return { done: lists.every((list) => !/ flags=\S*r/.test(list)) };
      },
      { timeoutMs: 10_000, operation: 'READONLY connections closed' },
    );
    expect(closed.done).toBe(true);
  });

  it('when a replica dies, reads of its shard are answered by the master at once', async () => {
    const readers = replicaReadCluster(topology);
    try {
      const state = await topology.refresh();
      const master = state.slotOwners[1]!;
      const replica = state.replicasOf(master.id)[0]!;
      const keys = Array.from({ length: 50 }, (_, i) => findKey(master.slots, `dies:${i}:`));
      await Promise.all(keys.map((key) => client.set(key, key)));
      await cluster.local!.killNode(replica.address);
      const deadline = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), 10_000).unref());
      const values = await Promise.race([Promise.all(keys.map((key) => readers.get(key))), deadline]);
      expect(values).toEqual(keys);
    } finally {
      readers.disconnect();
    }
  });
});
