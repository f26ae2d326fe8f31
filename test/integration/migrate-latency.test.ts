import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlotMigrator, type MigrationEndEvent, type ProgressEvent } from '../../src/index';
import { clusterDigest } from '../helpers/dataset';
import { startFilledPair, type FilledPair } from '../helpers/slot-keys';
import { stopTestCluster } from '../helpers/test-cluster';

describe('the latency budget sizes MIGRATE batches by what they cost the source', () => {
  const ctx = {} as FilledPair;
  beforeAll(async () => {
    Object.assign(ctx, await startFilledPair({ count: 2, perSlot: 4000, prefix: 'lat', value: 'z'.repeat(200) }));
  });
  afterAll(() => stopTestCluster(ctx));

  const reshard = async (latencyBudgetMs: number | null): Promise<{ batches: number[]; progress: ProgressEvent[]; end: MigrationEndEvent }> => {
    const { topology, client, slots, from, to } = ctx;
    const migrator = new SlotMigrator(topology, { latencyBudgetMs, keysPerBatch: 1000, clientProbeIntervalMs: 5 });
    const batches: number[] = [];
    const progress: ProgressEvent[] = [];
    let end: MigrationEndEvent | undefined;
    migrator.on('batch', (event) => batches.push(event.keys));
    migrator.on('progress', (event) => progress.push(event));
    migrator.on('end', (event) => (end = event));
    const before = await clusterDigest(client);
    await migrator.reshard({ from, to, slots });
    expect(await clusterDigest(client)).toEqual(before);
    [ctx.from, ctx.to] = [to, from];
    return { batches, progress, end: end! };
  };

  it('a small budget cuts 1000-key batches down and reports the blocking and the clients view', async () => {
    // 1000 keys of 200 B take several ms per MIGRATE: a 0.5 ms budget must shrink the batches.
    const { batches, progress, end } = await reshard(0.5);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(8000);
    expect(Math.max(...batches.slice(2))).toBeLessThan(1000);
    expect(batches.length).toBeGreaterThan(16);
    expect(end.latency.budgetMs).toBe(0.5);
    expect(end.latency.migrates).toBe(batches.length);
    expect(end.latency.blockingMaxMs).toBeGreaterThan(0);
    expect(end.latency.clientSamples).toBeGreaterThan(0);
    expect(end.latency.clientP99Ms).toBeGreaterThan(0);
    expect(progress.at(-1)!.latency.migrates).toBe(batches.length);
  });

  it('with the budget off, every batch carries keysPerBatch keys', async () => {
    const { batches, end } = await reshard(null);
    expect(batches).toEqual([1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000]);
    expect(end.latency.budgetMs).toBeNull();
  });
});
