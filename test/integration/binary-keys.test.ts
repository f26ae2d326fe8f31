import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterTopology, ImportConflictError, KeyConflictError, LocalCluster, MemoryJournal, NodePool, SlotMigrator, importData, keySlot } from '../../src/index';
import { findClusterPort } from '../../src/local/free-port';
import { RedisProcess } from '../../src/local/redis-process';
import { clusterDigest } from '../helpers/dataset';
import { startTestCluster, stopTestCluster } from '../helpers/test-cluster';

/**
 * Key names are bytes. These are not valid UTF-8, and hold NUL, CR LF and a lone 0xff, so any
 * string round trip would change them: the move would then miss the key and leave it behind.
 */
const TAG = '{bin}';
const binaryKey = (i: number): Buffer => Buffer.concat([Buffer.from(TAG), Buffer.from([0xff, 0xfe, 0x00, 0x0d, 0x0a, i & 0xff, (i >> 8) & 0xff])]);
const KEY_COUNT = 300;

describe('binary key names survive every key move', () => {
  let local: LocalCluster;
  let topology: ClusterTopology;
  let client: Cluster;
  const slot = keySlot(TAG);

  beforeAll(async () => {
    ({ local, topology, client } = await startTestCluster({ masters: 3, replicasPerMaster: 0 }));
    for (let i = 0; i < KEY_COUNT; i++) await client.set(binaryKey(i), Buffer.from([i & 0xff, 0x80, 0x00]));
  });
  afterAll(() => stopTestCluster({ local, topology, client }));

  const everyKeyReadable = async (): Promise<void> => {
    for (let i = 0; i < KEY_COUNT; i++) expect(await client.getBuffer(binaryKey(i))).toEqual(Buffer.from([i & 0xff, 0x80, 0x00]));
  };
  const otherMaster = async (): Promise<{ from: string; to: string }> => {
    const state = await topology.refresh();
    const owner = state.ownerOf(slot)!;
    return { from: owner.id, to: state.masters.find((m) => m.id !== owner.id)!.id };
  };

  it('reshards a slot of binary keys, in small batches and with durability on', async () => {
    const before = await clusterDigest(client);
    expect(before.keys).toBe(KEY_COUNT);
    for (const options of [{ keysPerBatch: 7 }, { keysPerBatch: 50, durability: 'replicas' as const }]) {
      const { from, to } = await otherMaster();
      const result = await new SlotMigrator(topology, options).reshard({ from, to, slots: [slot] });
      expect(result.movedKeys).toBe(KEY_COUNT);
      expect((await topology.refresh()).ownerOf(slot)!.id).toBe(to);
      expect(await clusterDigest(client)).toEqual(before);
    }
    await everyKeyReadable();
  });

  it('stops at a binary key that differs on the target, naming it in printable form, then replaces on request', async () => {
    const { from, to } = await otherMaster();
    const state = await topology.refresh();
    const target = topology.pool.get(state.node(to)!.address);
    // A stale copy of one key on the target, as a crashed earlier move might leave it.
    await topology.pool.get(state.node(from)!.address).setSlot(slot, 'MIGRATING', to);
    await target.setSlot(slot, 'IMPORTING', from);
    await target.call(['ASKING']);
    await target.call(['SET', binaryKey(5), 'stale']);
    // The migrator never takes over marks it did not set: close them (the stale copy stays on the target).
    await topology.pool.get(state.node(from)!.address).setSlot(slot, 'STABLE');
    await target.setSlot(slot, 'STABLE');
    const journal = new MemoryJournal(); // tells the second run that the marks the first left are this plan's
    const error = await new SlotMigrator(topology, { journal }).reshard({ from, to, slots: [slot] }).catch((e: unknown) => e);
    const conflict = (error as { cause?: unknown }).cause ?? error;
    expect(conflict).toBeInstanceOf(KeyConflictError);
    expect((conflict as KeyConflictError).keys).toEqual(['{bin}\\xff\\xfe\\x00\\r\\n\\x05\\x00']);
    expect((conflict as KeyConflictError).rawKeys).toEqual([binaryKey(5)]);
    expect((conflict as Error).message).toContain('{bin}\\xff\\xfe\\x00\\r\\n\\x05\\x00');
    await new SlotMigrator(topology, { journal, onConflict: 'replace' }).reshard({ from, to, slots: [slot] });
    await everyKeyReadable();
  });

  it('fix() finishes an open slot of binary keys', async () => {
    const before = await clusterDigest(client);
    const { from, to } = await otherMaster();
    const state = await topology.refresh();
    const source = topology.pool.get(state.node(from)!.address);
    const target = state.node(to)!;
    await topology.pool.get(target.address).setSlot(slot, 'IMPORTING', from);
    await source.setSlot(slot, 'MIGRATING', to);
    await source.call(['MIGRATE', target.host, target.port, '', 0, 5000, 'KEYS', binaryKey(0), binaryKey(1)]);
    await topology.fix();
    expect(await clusterDigest(client)).toEqual(before);
    await everyKeyReadable();
  });

  describe('importData', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rco-binary-import-'));
    let source: RedisProcess;
    const pool = new NodePool();
    const sourceKey = (i: number): Buffer => Buffer.from([0xc3, 0x28, i & 0xff, 0xa0, 0xa1]); // invalid UTF-8 sequences

    beforeAll(async () => {
      const port = await findClusterPort('127.0.0.1');
      source = new RedisProcess({ host: '127.0.0.1', port, dir: join(dir, 'source'), redisServer: 'redis-server', config: { 'cluster-enabled': 'no' } });
      await source.start();
      const s = pool.get({ host: source.host, port: source.port });
      await s.pipeline(Array.from({ length: 200 }, (_, i) => ['SET', sourceKey(i), Buffer.from([i & 0xff, 0xff])]));
    });
    afterAll(async () => {
      await pool.close();
      await source?.kill();
      rmSync(dir, { recursive: true, force: true });
    });

    it('moves binary keys from a standalone instance, and names a conflicting one in printable form', async () => {
      await client.set(sourceKey(3), 'different');
      const error = await importData({ from: { host: source.host, port: source.port }, into: topology }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ImportConflictError);
      expect((error as ImportConflictError).keys).toEqual(['\\xc3(\\x03\\xa0\\xa1']);
      expect((error as ImportConflictError).rawKeys).toEqual([sourceKey(3)]);
      await importData({ from: { host: source.host, port: source.port }, into: topology, replace: true });
      for (let i = 0; i < 200; i++) expect(await client.getBuffer(sourceKey(i))).toEqual(Buffer.from([i & 0xff, 0xff]));
      expect(Number(await pool.get({ host: source.host, port: source.port }).call(['DBSIZE']))).toBe(0);
    });
  });
});
