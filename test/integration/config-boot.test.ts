import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareVersions, ConfigRenderer, InvalidArgumentError, LocalCluster, NodePool, parseMemory, type RenderedConfig } from '../../src/index';
import { findClusterPort } from '../../src/local/free-port';
import { redisCliCheck } from '../helpers/redis-cli';
import { testServerInfo } from '../helpers/test-cluster';

const server = testServerInfo();

/** Directives that CONFIG GET of Redis before 7.0 does not return (start-up only there). */
const NOT_IN_CONFIG_GET = new Set([
  ...(compareVersions(server.redisCompatibleVersion, '7.0') < 0 ? ['cluster-config-file'] : []),
  ...(compareVersions(server.redisCompatibleVersion, '6.0') < 0 ? ['cluster-enabled', 'appendfilename'] : []),
]);

/** CONFIG GET's form of a rendered value. */
function normalise(name: string, value: string): string {
  const memory = ['maxmemory', 'repl-backlog-size', 'auto-aof-rewrite-min-size'];
  if (memory.includes(name)) return String(parseMemory(value));
  return value;
}

describe(`the runbook's 6-instance plan, rendered for ${server.kind} ${server.version}, boots a real cluster on it`, () => {
  const base = mkdtempSync(join(tmpdir(), 'rco-config-'));
  const pool = new NodePool();
  let rendered: RenderedConfig;
  let local: LocalCluster | undefined;
  const ports: number[] = [];
  const configFile = (port: number): string => join(base, 'conf', `redis-${port}.conf`);

  beforeAll(async () => {
    const taken = new Set<number>();
    for (let i = 0; i < 6; i++) {
      const port = await findClusterPort('127.0.0.1', { exclude: taken });
      taken.add(port);
      ports.push(port);
    }
    const renderer = new ConfigRenderer({ baseDir: base, redisVersion: server.renderVersion, maxmemory: '64mb', disableCommands: true, pidDir: 'log', profile: 'high-load', overrides: { bind: '127.0.0.1' } });
    rendered = renderer.render({ ports });
    for (const dir of rendered.dirs) mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(rendered.files)) writeFileSync(join(base, 'conf', name), text);
    local = await LocalCluster.fromConfigFiles(ports.map(configFile), { replicasPerMaster: 1, redisServer: server.path });
  });
  afterAll(async () => {
    await pool.close();
    await local?.stop();
    rmSync(base, { recursive: true, force: true });
  });

  it('LocalCluster starts the rendered files as they are and creates 3 masters x 1 replica that redis-cli accepts', async () => {
    expect(rendered.common.settings['daemonize']).toBe('yes'); // the runbook's value: LocalCluster keeps the process in the foreground itself
    expect(local!.nodes.map((n) => n.configFile)).toEqual(ports.map(configFile));
    const topology = local!.topology();
    try {
      const state = await topology.refresh();
      expect(state.masters).toHaveLength(3);
      expect(state.replicas).toHaveLength(3);
      expect((await topology.check()).ok).toBe(true);
    } finally {
      await topology.close();
    }
    const oracle = await redisCliCheck(local!.seeds[0]!);
    expect(oracle.ok, oracle.output).toBe(true);
  });

  it('CONFIG GET on each instance returns every rendered value', async () => {
    for (const port of ports) {
      const client = pool.get({ host: '127.0.0.1', port });
      const expected = { ...rendered.common.settings, ...rendered.instances[port]!.settings };
      for (const [name, value] of Object.entries(expected)) {
        const live = (await client.configGet(name))[name];
        if (live === undefined && NOT_IN_CONFIG_GET.has(name)) {
          // Before Redis 7.0 CONFIG GET leaves out some start-up-only directives: the server shows them otherwise.
          if (name === 'cluster-enabled') expect((await client.info('cluster'))['cluster_enabled']).toBe('1');
          else expect(existsSync(join(base, 'data', String(port), value)), `${name} ${value}`).toBe(true); // the file it names exists
          continue;
        }
        if (name === 'client-output-buffer-limit') {
          const [, hard, soft, seconds] = value.split(' ');
          expect(live, name).toContain(`slave ${parseMemory(hard!)} ${parseMemory(soft!)} ${seconds}`);
        } else if (name === 'daemonize') {
          expect(live).toBe('no');

        } else {
          expect(live, `${name} on ${port}`).toBe(normalise(name, value));
        }
      }
    }
  });

  it('the disabled commands are refused', async () => {
    const client = pool.get({ host: '127.0.0.1', port: ports[0]! });
    for (const command of ['KEYS', 'FLUSHDB', 'FLUSHALL']) {
      await expect(client.call(command === 'KEYS' ? ['KEYS', '*'] : [command])).rejects.toThrow(/unknown command/);
    }
  });

  it('refuses config files it cannot run, naming the file and the fix, before starting anything', async () => {
    const bad = join(base, 'conf', 'bad.conf');
    writeFileSync(bad, `include ${join(base, 'conf', 'redis.conf')}\nport 7999\ncluster-enabled no\n`);
    await expect(LocalCluster.fromConfigFiles([bad])).rejects.toThrow(/bad\.conf.*cluster-enabled yes/);
    writeFileSync(bad, `port 7999\ncluster-enabled yes\ndir relative/data\nlogfile /tmp/x.log\n`);
    await expect(LocalCluster.fromConfigFiles([bad])).rejects.toThrow(/dir to "relative\/data", not an absolute path/);
    await expect(LocalCluster.fromConfigFiles([configFile(ports[0]!), configFile(ports[0]!)])).rejects.toThrow(InvalidArgumentError);
    await expect(LocalCluster.fromConfigFiles(ports.slice(0, 5).map(configFile))).rejects.toThrow(/5 files.*multiple of 2/);
    await expect(LocalCluster.fromConfigFiles([join(base, 'missing.conf')])).rejects.toThrow(/cannot be read \(ENOENT\)/);
  });
});
