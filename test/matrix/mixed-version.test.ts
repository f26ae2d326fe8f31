import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from 'ioredis';
import { ClusterTopology, FailoverController, LocalCluster, SlotMigrator, UnsupportedByServerError, inspectServerBinary } from '../../src/index';
import { clusterDigest, writeKeys } from '../helpers/dataset';
import { redisCliCheck } from '../helpers/redis-cli';
import { startTestCluster, stopTestCluster } from '../helpers/test-cluster';

// The newer server of a rolling upgrade (set by the compatibility matrix: Redis 7.2 or Valkey 8).
const upgrade = process.env['REDIS_CLUSTER_OPS_UPGRADE_SERVER'] || undefined;
const base = inspectServerBinary('redis-server').capabilities;
const newer = upgrade === undefined ? undefined : inspectServerBinary(upgrade).capabilities;

describe.skipIf(newer === undefined)(`a ${base.kind} ${base.version} cluster gaining ${newer?.kind} ${newer?.version} nodes: a rolling upgrade`, () => {
  let local: LocalCluster;
  let topology: ClusterTopology;
  let client: Cluster;
  let digest: { keys: number; sha256: string };

  beforeAll(async () => {
    ({ local, topology, client } = await startTestCluster({ masters: 3, replicasPerMaster: 1, redisServer: 'redis-server', nodeTimeoutMs: 2000, host: ['127.0.0.1', '127.0.0.2', '127.0.0.3'] }, { convergenceTimeoutMs: 30_000 }));
    await writeKeys(client, 1000, { prefix: 'mixed' });
    digest = await clusterDigest(client);
  });
  afterAll(() => stopTestCluster({ local, topology, client }));

  it('adds a newer master, reports both versions in the state, and moves slots with keys onto it', async () => {
    const node = await local.startNode({ redisServer: upgrade!, host: '127.0.0.2' });
    const added = await topology.addNode(node, { as: 'master' });
    const state = await topology.refresh();
    expect(state.requireNode(added.nodeId).server).toMatchObject({ kind: newer!.kind, version: newer!.version });
    expect(state.nodes.filter((n) => n.id !== added.nodeId).every((n) => n.server?.version === base.version)).toBe(true);

    const migrator = new SlotMigrator(topology);
    const from = state.slotOwners[0]!;
    const moved = await migrator.reshard({ from: from.id, to: added.nodeId, slots: 200 });
    expect(moved.movedKeys).toBeGreaterThan(0);
    expect(await clusterDigest(client)).toEqual(digest);
    expect((await topology.check()).problems.filter((p) => p.severity === 'error')).toEqual([]);
  });

  it('refuses to move keys from the newer master back to an older one (newer RDB payloads) before anything is sent, and moves its empty slots', async () => {
    const state = await topology.refresh();
    const newest = state.masters.find((m) => m.server?.version === newer!.version && m.slots.size > 0)!;
    const older = state.masters.find((m) => m.server?.version === base.version && m.slots.size > 0)!;
    const slots = newest.slots.toArray();
    const counts = await Promise.all(slots.map((slot) => topology.pool.get(newest.address).countKeysInSlot(slot)));
    const keyed = slots.filter((_, i) => counts[i]! > 0);
    const empty = slots.filter((_, i) => counts[i] === 0);
    expect(keyed.length).toBeGreaterThan(0);
    const setslotCalls = async (): Promise<number> => {
      let total = 0;
      for (const node of [newest, older]) {
        const stats = await topology.pool.get(node.address).info('commandstats');
        total += Number(/calls=(\d+)/.exec(stats['cmdstat_cluster|setslot'] ?? stats['cmdstat_cluster'] ?? '')?.[1] ?? 0);
      }
      return total;
    };
    if (newer!.rdbVersion > base.rdbVersion) {
      const before = await setslotCalls();
      const refused = await new SlotMigrator(topology).reshard({ from: newest.id, to: older.id, slots: keyed.slice(0, 3) }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(UnsupportedByServerError);
      expect((refused as Error).message).toContain(`RDB version ${newer!.rdbVersion}`);
      expect(await setslotCalls()).toBe(before);
    }
    if (empty.length > 0) {
      const moved = await new SlotMigrator(topology).reshard({ from: newest.id, to: older.id, slots: empty.slice(0, 5) });
      expect(moved.movedSlots).toBe(Math.min(5, empty.length));
    }
    expect(await clusterDigest(client)).toEqual(digest);
  });

  it('replaces every node by a newer one (replica added, failed over to, old node removed) and loses nothing', async () => {
    const failover = new FailoverController(topology);
    const hosts = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
    const initial = await topology.refresh();
    for (const [index, master] of initial.slotOwners.entries()) {
      const node = await local.startNode({ redisServer: upgrade!, host: hosts[(index + 1) % 3]! });
      const heir = await topology.addNode(node, { as: 'replica', of: master.id });
      await failover.failover(heir.nodeId, { mode: 'default' });
      await topology.removeNode(master.id, { shutdown: true });
    }
    for (const replica of initial.replicas) await topology.removeNode(replica.id, { shutdown: true });
    const final = await topology.refresh();
    expect(final.masters).toHaveLength(4);
    expect(final.nodes.every((n) => n.server?.kind === newer!.kind && n.server.version === newer!.version)).toBe(true);
    expect(final.uncoveredSlots().isEmpty).toBe(true);
    expect((await topology.check()).problems.filter((p) => p.severity === 'error')).toEqual([]);
    const fresh = local.client();
    try {
      expect(await clusterDigest(fresh)).toEqual(digest);
    } finally {
      fresh.disconnect();
    }
    const oracle = await redisCliCheck(final.masters[0]!);
    expect(oracle.ok, oracle.output).toBe(true);
  });
});
