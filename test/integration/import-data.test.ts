import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterTopology, ImportConflictError, ImportFailedError, Importer, LocalCluster, NodePool, importData, inspectServerBinary, type ImportCursor } from '../../src/index';
import { findClusterPort } from '../../src/local/free-port';
import { RedisProcess } from '../../src/local/redis-process';
import { clusterDigest } from '../helpers/dataset';
import { startLocalCluster, TEST_SERVER } from '../helpers/test-cluster';

describe('importData', () => {
  let target: LocalCluster;
  let topology: ClusterTopology;
  let client: Cluster;
  let source: RedisProcess;
  let sourcePool: NodePool;
  const dir = mkdtempSync(join(tmpdir(), 'rco-import-'));

  const sourceAddress = (): { host: string; port: number } => ({ host: source.host, port: source.port });
  const seedSource = async (count: number, prefix: string): Promise<void> => {
    const s = sourcePool.get(sourceAddress());
    for (let i = 0; i < count; i += 500) {
      await Promise.all(Array.from({ length: Math.min(500, count - i) }, (_, j) => s.call(['SET', `${prefix}:${i + j}`, `value-${i + j}`])));
    }
    await s.call(['EXPIRE', `${prefix}:0`, 3600]);
    await s.call(['RPUSH', `${prefix}:list`, 'a', 'b', 'c']);
    await s.call(['HSET', `${prefix}:hash`, 'f', 'v']);
  };

  beforeAll(async () => {
    target = await startLocalCluster({ masters: 3, replicasPerMaster: 0 });
    topology = target.topology();
    client = target.client();
    const port = await findClusterPort('127.0.0.1');
    const server = inspectServerBinary(TEST_SERVER ?? 'redis-server');
    source = new RedisProcess({ host: '127.0.0.1', port, dir: join(dir, 'source'), redisServer: server.path, capabilities: server.capabilities, config: { 'cluster-enabled': 'no', 'cluster-announce-ip': '127.0.0.1' } });
    await source.start();
    sourcePool = new NodePool();
  });
  afterAll(async () => {
    client?.disconnect();
    await sourcePool?.close();
    await topology?.close();
    await source?.kill('SIGKILL');
    await target?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('moves every key of a standalone instance, with values, types and TTLs', async () => {
    await seedSource(3000, 'a');
    const importer = new Importer();
    const progress: number[] = [];
    importer.on('progress', (e) => progress.push(e.movedKeys));
    const result = await importer.importData({ from: sourceAddress(), into: topology, batchSize: 200 });
    expect(result.movedKeys).toBe(3002);
    expect(progress.length).toBeGreaterThan(3);
    expect(await sourcePool.get(sourceAddress()).dbsize()).toBe(0);
    expect(await client.get('a:2999')).toBe('value-2999');
    expect(await client.lrange('a:list', 0, -1)).toEqual(['a', 'b', 'c']);
    expect(await client.hget('a:hash', 'f')).toBe('v');
    expect(await client.ttl('a:0')).toBeGreaterThan(3500);
  });

  it('copies with copy: true, and refuses keys that exist with other values, naming them; replace overwrites', async () => {
    await seedSource(100, 'b');
    await importData({ from: sourceAddress(), into: topology, copy: true });
    expect(await sourcePool.get(sourceAddress()).dbsize()).toBe(102);
    expect(await client.get('b:50')).toBe('value-50');

    // Same values again: nothing to do. One changed value: a conflict.
    await sourcePool.get(sourceAddress()).call(['SET', 'b:7', 'changed']);
    const error = await importData({ from: sourceAddress(), into: topology, copy: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportConflictError);
    expect((error as ImportConflictError).keys).toEqual(['b:7']);
    expect(await client.get('b:7')).toBe('value-7');

    const replaced = await importData({ from: sourceAddress(), into: topology, replace: true });
    expect(replaced.movedKeys).toBe(102);
    expect(await client.get('b:7')).toBe('changed');
    expect(await sourcePool.get(sourceAddress()).dbsize()).toBe(0);
  });

  it('an import aborted mid-way resumes from its cursor with nothing lost or duplicated', async () => {
    await seedSource(4000, 'c');
    const expected = 4002;
    const controller = new AbortController();
    const importer = new Importer();
    let cursor: ImportCursor | undefined;
    importer.on('progress', (e) => {
      cursor = e.cursor;
      if (e.movedKeys > 1000) controller.abort();
    });
    const error = await importer.importData({ from: sourceAddress(), into: topology, batchSize: 100, signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImportFailedError);
    expect((error as ImportFailedError).aborted).toBe(true);
    const left = await sourcePool.get(sourceAddress()).dbsize();
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(expected);

    const resumed = await importData({ from: sourceAddress(), into: topology, resumeFrom: (error as ImportFailedError).cursor });
    expect(cursor).toBeDefined();
    expect(resumed.movedKeys).toBe(left);
    expect(await sourcePool.get(sourceAddress()).dbsize()).toBe(0);
    for (let i = 0; i < 4000; i += 97) expect(await client.get(`c:${i}`)).toBe(`value-${i}`);
  });

  it('moves every master of another cluster into this one', async () => {
    const other = await startLocalCluster({ masters: 3, replicasPerMaster: 0 });
    const otherClient = other.client();
    try {
      for (let i = 0; i < 2000; i += 500) await Promise.all(Array.from({ length: 500 }, (_, j) => otherClient.set(`d:${i + j}`, `v${i + j}`, 'EX', 7200)));
      const before = await clusterDigest(otherClient);
      const digestBefore = await clusterDigest(client);
      const result = await importData({ from: other.seeds[0]!, into: topology });
      expect(result.sources).toHaveLength(3);
      expect(result.movedKeys).toBe(2000);
      expect((await clusterDigest(otherClient)).keys).toBe(0);
      const after = await clusterDigest(client);
      expect(after.keys).toBe(digestBefore.keys + before.keys);
      expect(await client.ttl('d:1999')).toBeGreaterThan(7000);
    } finally {
      otherClient.disconnect();
      await other.stop();
    }
  });
});
