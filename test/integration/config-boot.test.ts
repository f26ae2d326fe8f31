import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigRenderer, NodePool, parseMemory, type RenderedConfig } from '../../src/index';
import { findClusterPort } from '../../src/local/free-port';
import { pollUntil } from '../../src/util/poll';

/** CONFIG GET's form of a rendered value. */
function normalise(name: string, value: string): string {
  const memory = ['maxmemory', 'repl-backlog-size', 'auto-aof-rewrite-min-size'];
  if (memory.includes(name)) return String(parseMemory(value));
  return value;
}

describe('rendered configs boot real redis-server 7.0 processes', () => {
  const base = mkdtempSync(join(tmpdir(), 'rco-config-'));
  const children: ChildProcess[] = [];
  const pool = new NodePool();
  let rendered: RenderedConfig;
  const ports: number[] = [];

  beforeAll(async () => {
    const taken = new Set<number>();
    for (let i = 0; i < 6; i++) {
      const port = await findClusterPort('127.0.0.1', { exclude: taken });
      taken.add(port);
      ports.push(port);
    }
    const renderer = new ConfigRenderer({ baseDir: base, maxmemory: '64mb', disableCommands: true, pidDir: 'log', profile: 'high-load', overrides: { daemonize: 'no', bind: '127.0.0.1' } });
    rendered = renderer.render({ ports });
    for (const dir of rendered.dirs) mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(rendered.files)) writeFileSync(join(base, 'conf', name), text);
    for (const port of ports) children.push(spawn('redis-server', [join(base, 'conf', `redis-${port}.conf`)], { stdio: 'ignore' }));
    for (const port of ports) {
      await pollUntil(async () => ({ done: await pool.get({ host: '127.0.0.1', port }).ping().then(() => true, () => false) }), { timeoutMs: 15_000, operation: 'boot' });
    }
  });
  afterAll(async () => {
    await pool.close();
    for (const child of children) child.kill('SIGKILL');
    rmSync(base, { recursive: true, force: true });
  });

  it('CONFIG GET on each instance returns every rendered value', async () => {
    for (const port of ports) {
      const client = pool.get({ host: '127.0.0.1', port });
      const expected = { ...rendered.common.settings, ...rendered.instances[port]!.settings };
      for (const [name, value] of Object.entries(expected)) {
        const live = (await client.configGet(name))[name];
        if (name === 'client-output-buffer-limit') {
          const [, hard, soft, seconds] = value.split(' ');
          expect(live, name).toContain(`slave ${parseMemory(hard!)} ${parseMemory(soft!)} ${seconds}`);
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
});
