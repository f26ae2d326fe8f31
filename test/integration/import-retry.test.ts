import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterTopology, Importer, LocalCluster, NodePool, SlotMigrator, keySlot, type ImportRetryEvent } from '../../src/index';
import { findClusterPort } from '../../src/local/free-port';
import { RedisProcess } from '../../src/local/redis-process';

describe('importData retries a batch when a slot moves under it', () => {
  let target: LocalCluster;
  let topology: ClusterTopology;
  let mover: ClusterTopology;
  let source: RedisProcess;
  let sourcePool: NodePool;
  const dir = mkdtempSync(join(tmpdir(), 'rco-import-retry-'));

  beforeAll(async () => {
    target = await LocalCluster.start({ masters: 3, replicasPerMaster: 0 });
    topology = target.topology();
    // Moves the slot as a tool outside this SDK would (redis-cli --cluster reshard): without the
    // operation lease, which the import holds.
    mover = new ClusterTopology({ seeds: target.seeds, lock: { unsafeDisableLock: true } });
    const port = await findClusterPort('127.0.0.1');
    source = new RedisProcess({ host: '127.0.0.1', port, dir: join(dir, 'source'), redisServer: 'redis-server', config: { 'cluster-enabled': 'no' } });
    await source.start();
    sourcePool = new NodePool();
  });
  afterAll(async () => {
    await sourcePool?.close();
    await topology?.close();
    await mover?.close();
    await source?.kill('SIGKILL');
    await target?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('emits a typed retry event (code MOVED, relayed by MIGRATE) and still moves every key', async () => {
    const keys = Array.from({ length: 50 }, (_, i) => `{moved}:${i}`);
    const slot = keySlot(keys[0] as string);
    const s = sourcePool.get({ host: source.host, port: source.port });
    await Promise.all(keys.map((key, i) => s.call(['SET', key, `v${i}`])));

    const state = await mover.refresh();
    const owner = state.ownerOf(slot)!;
    const other = state.masters.find((master) => master.id !== owner.id)!;
    // Right before the importer first writes to the slot's owner, the slot moves to another master.
    let moved = false;
    const remove = topology.pool.commandHooks.add(async (node, commands) => {
      if (moved || node !== owner.address || String(commands[0]?.[0]).toUpperCase() !== 'EXISTS') return;
      moved = true;
      await new SlotMigrator(mover).reshard({ from: owner.id, to: other.id, slots: String(slot) });
    });
    const retries: ImportRetryEvent[] = [];
    const importer = new Importer();
    importer.on('retry', (event) => retries.push(event));
    try {
      const result = await importer.importData({ from: `${source.host}:${source.port}`, into: topology });
      expect(result.movedKeys).toBe(keys.length);
    } finally {
      remove();
    }
    expect(moved).toBe(true);
    expect(retries.length).toBeGreaterThan(0);
    expect(retries[0]).toMatchObject({ source: `${source.host}:${source.port}`, attempt: 1, code: 'MOVED' });
    const client = target.client();
    try {
      expect(await client.get('{moved}:49')).toBe('v49');
      // Counted on the slot's owner: COUNTKEYSINSLOT on another node answers 0.
      const owner = (await topology.refresh()).ownerOf(slot);
      expect(await topology.pool.get(owner!.address).countKeysInSlot(slot)).toBe(keys.length);
    } finally {
      client.disconnect();
    }
  });
});
