import type { Cluster } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterTopology, LocalCluster, SlotMigrator } from '../../src/index';
import { pollUntil } from '../../src/util/poll';
import { clusterDigest, writeKeys } from '../helpers/dataset';
import { redisCliCheck } from '../helpers/redis-cli';
import { missingWrites, startLoad } from '../helpers/write-load';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function cluster(options: Parameters<typeof LocalCluster.start>[0]): Promise<{ local: LocalCluster; topology: ClusterTopology; client: Cluster }> {
  const local = await LocalCluster.start(options);
  cleanups.push(() => local.stop());
  const topology = local.topology();
  cleanups.push(() => topology.close());
  const client = local.client();
  cleanups.push(() => client.disconnect());
  return { local, topology, client };
}

describe('migration under faults and load', () => {
  it('an ioredis client reading and writing during a reshard sees no failed command and keeps every acknowledged write', async () => {
    const { topology, client } = await cluster({ masters: 3, replicasPerMaster: 0 });
    await writeKeys(client, 4000);
    const load = startLoad(client, { keys: 3000, concurrency: 6 });
    const state = await topology.refresh();
    const [a, b, c] = state.masters as [(typeof state.masters)[number], (typeof state.masters)[number], (typeof state.masters)[number]];
    const migrator = new SlotMigrator(topology, { keysPerBatch: 50 });
    await migrator.reshard({ from: a.id, to: b.id, slots: 1500 });
    await migrator.reshard({ from: [b.id], to: c.id, slots: 1500 });
    const result = await load.stop();

    expect(result.failures).toEqual([]);
    expect(result.acknowledged.size).toBeGreaterThan(100);
    expect(await missingWrites(client, result.acknowledged)).toEqual([]);
    expect((await topology.check()).ok).toBe(true);
  });

  it('with durability on, killing the target master mid-move loses no key: its promoted replica has what was acknowledged, fix() gathers the rest', async () => {
    const { local, topology, client } = await cluster({ masters: 3, replicasPerMaster: 1, host: ['127.0.0.1', '127.0.0.2', '127.0.0.3'], nodeTimeoutMs: 1000 });
    await writeKeys(client, 5000, { valueBytes: 64 });
    const before = await clusterDigest(client);
    const state = await topology.refresh();
    const [a, b] = state.masters as [(typeof state.masters)[number], (typeof state.masters)[number]];
    const migrator = new SlotMigrator(topology, { durability: 'replicas', keysPerBatch: 20, slotsInFlight: 2 });
    let batches = 0;
    let killed: Promise<unknown> | undefined;
    migrator.on('batch', () => {
      if (++batches === 15) killed = local.killNode(b.id, 'SIGKILL');
    });
    await expect(migrator.reshard({ from: a.id, to: b.id, slots: 1000 })).rejects.toThrow();
    await killed;

    // Wait for b's replica to take over, then repair.
    const promoted = state.replicasOf(b.id)[0]!;
    await pollUntil(async () => ({ done: (await topology.refresh()).node(promoted.id)?.role === 'master' }), { timeoutMs: 20_000, operation: 'test' });
    await topology.fix();
    await local.restartNode(b.address);
    await pollUntil(async () => ({ done: (await topology.check()).ok }), { timeoutMs: 20_000, operation: 'test' });

    expect(await clusterDigest(client)).toEqual(before);
    expect((await topology.refresh()).openSlots()).toEqual([]);
    expect((await redisCliCheck(local.seeds[0]!)).ok).toBe(true);
  });
});
