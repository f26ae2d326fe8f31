import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from 'ioredis';
import {
  ClusterTopology,
  FailoverController,
  keySlot,
  LocalCluster,
  NotAReplicaError,
  ReplicaOfOtherMasterError,
  UnknownNodeError,
  type FailoverMode,
  type FailoverStartEvent,
} from '../../src/index';
import { pollUntil } from '../../src/util/poll';
import { clusterDigest, writeKeys } from '../helpers/dataset';
import { redisCliCheck } from '../helpers/redis-cli';
import { startTestCluster, stopTestCluster } from '../helpers/test-cluster';

const UNKNOWN = '0123456789abcdef0123456789abcdef01234567';

describe('FailoverController.failover and replica reads', () => {
  let local: LocalCluster;
  let topology: ClusterTopology;
  let controller: FailoverController;
  let client: Cluster;
  let digest: { keys: number; sha256: string };

  beforeAll(async () => {
    ({ local, topology, client } = await startTestCluster({ host: ['127.0.0.1', '127.0.0.2', '127.0.0.3'], nodeTimeoutMs: 2000, config: { 'repl-diskless-sync-delay': 0 } }, { convergenceTimeoutMs: 20_000 }));
    controller = new FailoverController(topology);
    await writeKeys(client, 500, { prefix: 'fo' });
    digest = await clusterDigest(client);
  });
  afterAll(() => stopTestCluster({ local, topology, client }));

  for (const mode of ['default', 'force', 'takeover'] as FailoverMode[]) {
    it(`${mode}: the replica becomes master with its master's slots, the old master its replica, every node agrees, and the epoch grows by one`, async () => {
      const before = await topology.refresh();
      const master = before.slotOwners[0]!;
      const replica = before.replicasOf(master.id)[0]!;
      const currentEpoch = Math.max(...before.views.map((v) => Number(v.clusterInfo['cluster_current_epoch'])));
      const starts: FailoverStartEvent[] = [];
      controller.once('failover-start', (event) => starts.push(event));

      const result = await controller.failover(replica.id, { mode, of: master.id });

      expect(starts).toEqual([{ replicaId: replica.id, replicaAddress: replica.address, masterId: master.id, masterAddress: master.address, mode }]);
      expect(result).toMatchObject({ mode, newMasterId: replica.id, oldMasterId: master.id, oldMasterDemoted: true, slots: master.slots.toString() });
      // The runbook: masters log 'Failover auth granted to ID for epoch N' and the epoch grows by one each time.
      expect(result.configEpoch).toBeGreaterThan(result.previousConfigEpoch);
      expect(result.configEpoch).toBe(currentEpoch + 1);
      expect(result.currentEpoch).toBe(currentEpoch + 1);
      // On return: every view has the replica as master of all the slots and the old master as its replica.
      const after = await topology.refresh();
      for (const view of after.views) {
        const line = view.nodes.find((n) => n.id === replica.id);
        expect(line?.role).toBe('master');
        expect(line?.slots.toString()).toBe(master.slots.toString());
        expect(view.nodes.find((n) => n.id === master.id)).toMatchObject({ role: 'replica', masterId: replica.id });
      }
      expect((await redisCliCheck(local.seeds[0]!)).ok).toBe(true);
      // The old master got its own cluster-node-timeout back.
      expect(await topology.pool.get(master.address).configGet('cluster-node-timeout')).toEqual({ 'cluster-node-timeout': '2000' });
    });
  }

  it('refuses unknown ids, a master passed as the replica and a replica of a different master, before sending anything', async () => {
    const before = await topology.refresh();
    const [m1, m2] = before.slotOwners as [typeof before.slotOwners[0], typeof before.slotOwners[0]];
    const replicaOfM1 = before.replicasOf(m1.id)[0]!;
    let started = 0;
    const count = (): void => void started++;
    controller.on('failover-start', count);

    await expect(controller.failover(UNKNOWN)).rejects.toBeInstanceOf(UnknownNodeError);
    await expect(controller.failover(m1.id)).rejects.toBeInstanceOf(NotAReplicaError);
    const wrong = await controller.failover(replicaOfM1.id, { of: m2.id }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(ReplicaOfOtherMasterError);
    expect((wrong as ReplicaOfOtherMasterError).masterId).toBe(m1.id);

    controller.off('failover-start', count);
    expect(started).toBe(0);
    const after = await topology.refresh();
    expect(after.slotOwners.map((m) => m.id).sort()).toEqual(before.slotOwners.map((m) => m.id).sort());
  });

  it('replicaReadCluster sends reads to replicas (READONLY), while writes still go to masters', async () => {
    const state = await topology.refresh();
    const getCalls = async (nodes: typeof state.replicas): Promise<number> => {
      const stats = await Promise.all(nodes.map((node) => topology.pool.get(node.address).info('commandstats')));
      return stats.reduce((sum, info) => sum + Number(/calls=(\d+)/.exec(info['cmdstat_get'] ?? '')?.[1] ?? 0), 0);
    };
    // After the failovers above, a demoted master reads from its new master only once it has re-synced:
    // until then its shard's reads go to the master.
    await pollUntil(async () => {
      const infos = await Promise.all(state.replicas.map((node) => topology.pool.get(node.address).info('replication')));
      return { done: infos.every((info) => info['master_link_status'] === 'up') };
    }, { timeoutMs: 20_000, operation: 'every replica in sync' });
    const readers = controller.replicaReadCluster();
    try {
      await new Promise((resolve) => readers.once('ready', resolve));
      const [replicasBefore, mastersBefore] = [await getCalls(state.replicas), await getCalls(state.masters)];
      const keys = Array.from({ length: 20 }, (_, i) => `fo:${i * 25}`);
      const values = await Promise.all(keys.map((key) => readers.get(key)));
      expect(await getCalls(state.replicas)).toBe(replicasBefore + keys.length);
      expect(await getCalls(state.masters)).toBe(mastersBefore);
      expect(values).toEqual(await Promise.all(keys.map((key) => client.get(key))));

      await readers.set('fo:written-through-replica-reader', '1');
      expect(await client.get('fo:written-through-replica-reader')).toBe('1');
      await client.del('fo:written-through-replica-reader');
    } finally {
      readers.disconnect();
    }
  });

  it('openReplica answers reads locally (READONLY); READWRITE restores MOVED; a master id is refused', async () => {
    const state = await topology.refresh();
    const replica = state.replicas[0]!;
    const master = state.requireNode(replica.masterId!);
    const key = Array.from({ length: 500 }, (_, i) => `fo:${i}`).find((k) => master.slots.has(keySlot(k)))!;
    const redis = await controller.openReplica(replica.id);
    try {
      expect(await redis.get(key)).toBe(await client.get(key));
      await redis.readwrite();
      await expect(redis.get(key)).rejects.toThrow(/MOVED/);
      await redis.readonly();
      expect(await redis.get(key)).toBe(await client.get(key));
    } finally {
      redis.disconnect();
    }
    await expect(controller.openReplica(master.id)).rejects.toBeInstanceOf(NotAReplicaError);
  });

  it('loses no key across the three failovers', async () => {
    expect(await clusterDigest(client)).toEqual(digest);
  });
});
