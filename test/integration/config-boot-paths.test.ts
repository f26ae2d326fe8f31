import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigRenderer, LocalCluster, NodePool } from '../../src/index';
import { findClusterPort } from '../../src/local/free-port';
import { startLocalCluster, testServerInfo } from '../helpers/test-cluster';

const server = testServerInfo();

describe(`rendered configs under awkward paths boot on ${server.kind} ${server.version}`, () => {
  const parent = mkdtempSync(join(tmpdir(), 'rco-paths-'));
  const pool = new NodePool();
  const started: LocalCluster[] = [];
  afterAll(async () => {
    await pool.close();
    for (const local of started) await local.stop();
    rmSync(parent, { recursive: true, force: true });
  });

  it.each([
    ['a space', 'data redis'],
    ['single and double quotes', `it's "quoted"`],
    ['non-ASCII letters', 'données-数据'],
    ['a backslash and a space', 'back\\slash dir'],
  ])('a base dir with %s: the include line, dir, logfile and pidfile are read back as written', async (_, name) => {
    const baseDir = join(parent, name);
    const port = await findClusterPort('127.0.0.1');
    const rendered = new ConfigRenderer({ baseDir, redisVersion: server.renderVersion, pidDir: 'log', overrides: { bind: '127.0.0.1' } }).render({ port });
    for (const dir of rendered.dirs) mkdirSync(dir, { recursive: true });
    for (const [file, text] of Object.entries(rendered.files)) writeFileSync(join(baseDir, 'conf', file), text);
    const instanceFile = join(baseDir, 'conf', `redis-${port}.conf`);

    const local = await LocalCluster.fromConfigFiles([instanceFile], { create: false, redisServer: server.path });
    started.push(local);
    const client = pool.get({ host: '127.0.0.1', port });
    // The server read the common file through the include line (cluster-enabled and the profile come from there)...
    expect((await client.info('cluster'))['cluster_enabled']).toBe('1');
    expect((await client.configGet('repl-backlog-size'))['repl-backlog-size']).toBe(String(1024 * 1024));
    // ...and the per-instance paths exactly, bytes included.
    expect((await client.configGet('dir'))['dir']).toBe(join(baseDir, 'data', String(port)));
    expect((await client.configGet('logfile'))['logfile']).toBe(join(baseDir, 'log', `redis-${port}.log`));
    expect((await client.configGet('pidfile'))['pidfile']).toBe(join(baseDir, 'log', `redis-${port}.pid`));
    expect(readFileSync(join(baseDir, 'log', `redis-${port}.log`), 'utf8')).toContain('Ready to accept connections');
  });

  it('LocalCluster itself runs nodes in a directory with spaces and quotes', async () => {
    const dir = join(parent, `local "cluster" it's`);
    mkdirSync(dir, { recursive: true });
    const local = await startLocalCluster({ masters: 3, replicasPerMaster: 0, create: false, dir });
    started.push(local);
    const client = pool.get(local.seeds[0]!);
    expect((await client.configGet('dir'))['dir']).toBe(local.nodes[0]!.dir);
    expect(local.nodes[0]!.dir.startsWith(dir)).toBe(true);
  });
});
