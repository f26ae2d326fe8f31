import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandFailedError, SlotMigrator, keySlot } from '../../src/index';
import { clusterDigest } from '../helpers/dataset';
import { startTestCluster, stopTestCluster, type TestCluster } from '../helpers/test-cluster';

const MB = 1024 * 1024;
const TAG = '{huge}';

describe('SlotMigrator moves a 100 MB value without IOERR', () => {
  const slot = keySlot(TAG);
  let cluster: TestCluster | undefined;

  beforeAll(async () => {
    cluster = await startTestCluster({ masters: 3, replicasPerMaster: 0 });
    const { client } = cluster;
    await client.set(`${TAG}:value`, Buffer.alloc(100 * MB, 'v'));
    for (let i = 0; i < 200; i++) await client.set(`${TAG}:small:${i}`, `s${i}`);
  });
  afterAll(() => stopTestCluster(cluster ?? {}));

  it('gives the batch a MIGRATE timeout for its bytes, where a fixed 20 ms one fails', async () => {
    const { topology, client } = cluster!;
    const state = await topology.refresh();
    const owner = state.ownerOf(slot)!;
    const target = state.masters.find((m) => m.id !== owner.id)!;
    const source = topology.pool.get(owner.address);
    const before = await clusterDigest(client);

    // What a fixed timeout does: the same MIGRATE with 20 ms fails with IOERR and the key stays
    // (the target may still finish restoring its copy: the move below must take that in its stride).
    await topology.pool.get(target.address).setSlot(slot, 'IMPORTING', owner.id);
    await source.setSlot(slot, 'MIGRATING', target.id);
    const fixed = await source.migrate(target, [`${TAG}:value`], { timeoutMs: 20 }).catch((e: unknown) => e);
    expect(fixed).toBeInstanceOf(CommandFailedError);
    expect((fixed as CommandFailedError).reply).toContain('IOERR');
    expect(Number(await source.call(['EXISTS', `${TAG}:value`]))).toBe(1);
    // The migrator never takes over marks it did not set: close them (the target's copy, if any, stays).
    await source.setSlot(slot, 'STABLE');
    await topology.pool.get(target.address).setSlot(slot, 'STABLE');

    const migrator = new SlotMigrator(topology, { migrateTimeoutMs: 20, keysPerBatch: 1000 });
    const retries: string[] = [];
    const timeouts: number[] = [];
    migrator.on('retry', (e) => retries.push(e.reason));
    migrator.on('batch', (e) => timeouts.push(e.timeoutMs));
    const result = await migrator.reshard({ from: owner.id, to: target.id, slots: [slot] });

    expect(result.movedKeys).toBe(201);
    expect(retries).toEqual([]);
    expect(Math.max(...timeouts)).toBeGreaterThanOrEqual(10_000); // 20 ms + 100 MB at 10 MB/s
    expect((await topology.refresh()).ownerOf(slot)!.id).toBe(target.id);
    expect(await clusterDigest(client)).toEqual(before);
    expect((await client.getBuffer(`${TAG}:value`))?.length).toBe(100 * MB);
  });
});
