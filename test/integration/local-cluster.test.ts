import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RedisProcess } from '../../src/local/redis-process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterOpsError, InvalidArgumentError, LocalCluster, UnknownNodeError } from '../../src/index';
import { pollUntil } from '../../src/util/poll';
import { alive } from '../helpers/process-alive';


describe('LocalCluster', () => {
  let local: LocalCluster;
  beforeAll(async () => {
    local = await LocalCluster.start({ masters: 3, replicasPerMaster: 0, nodeTimeoutMs: 1000 });
  });
  afterAll(async () => {
    await local?.stop();
  });

  it('kills a node by id and restarts it with its identity and slots', async () => {
    const topology = local.topology();
    try {
      const before = await topology.refresh();
      const victim = before.masters[1]!;
      const killed = await local.killNode(victim.id);
      expect(killed.pid).toBeUndefined();
      await expect(topology.pool.get(victim.address).ping()).rejects.toThrow();

      const restarted = await local.restartNode(victim.id);
      expect(restarted.pid).toBeGreaterThan(0);
      const { state } = await topology.waitForConvergence({ requireStateOk: true, timeoutMs: 15_000 });
      expect(state.node(victim.id)?.slots.equals(victim.slots)).toBe(true);
    } finally {
      await topology.close();
    }
  });

  it('thaws a frozen node by id at once, without waiting on the frozen process', async () => {
    const topology = local.topology();
    try {
      const victim = (await topology.refresh()).masters[0]!;
      await local.freezeNode(victim.id);
      const thawed = local.thawNode(victim.id).then(() => 'thawed');
      // Asking the frozen node for its id would take the whole 10 s command timeout.
      const outcome = await Promise.race([thawed, new Promise((resolve) => setTimeout(() => resolve('still waiting'), 5000))]);
      if (outcome !== 'thawed') await thawed;
      expect(outcome).toBe('thawed');
      await expect(topology.pool.get(victim.address).ping()).resolves.toBeUndefined();
    } finally {
      await topology.close();
    }
  });

  it('starts extra standalone nodes that belong to no cluster', async () => {
    const node = await local.startNode();
    const topology = local.topology();
    try {
      const info = await topology.pool.get(node).clusterInfo();
      expect(info['cluster_known_nodes']).toBe('1');
      expect(info['cluster_slots_assigned']).toBe('0');
    } finally {
      await topology.close();
    }
  });

  it('a node whose port is taken fails with portInUse in its error details (LocalCluster then picks another port)', async () => {
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as { port: number }).port;
    const dir = mkdtempSync(join(tmpdir(), 'rco-port-'));
    const node = new RedisProcess({ host: '127.0.0.1', port, dir, redisServer: 'redis-server', config: { 'cluster-enabled': 'no' } });
    try {
      const error = await node.start().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ClusterOpsError);
      expect((error as ClusterOpsError).details).toMatchObject({ address: `127.0.0.1:${port}`, portInUse: true });
    } finally {
      await node.kill().catch(() => undefined);
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses unknown nodes and bad options with typed errors', async () => {
    await expect(local.killNode('f'.repeat(40))).rejects.toBeInstanceOf(UnknownNodeError);
    await expect(LocalCluster.start({ masters: 2 })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(LocalCluster.start({ host: '10.1.2.3' })).rejects.toThrow(/loopback/);
    await expect(LocalCluster.start({ config: { save: '900 1\nslaveof x 1' } })).rejects.toThrow(/line breaks/);
  });
});

/** Runs test/fixtures/local-cluster-exit.ts in a child process until it printed its cluster's pids and dir. */
async function startExitFixture(mode: string): Promise<{ child: ReturnType<typeof spawn>; output: () => string; ended: (signal?: NodeJS.Signals) => Promise<boolean>; pids: number[]; dir: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/local-cluster-exit.ts', mode], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  try {
    const started = await pollUntil(async () => ({ done: output.includes('"dir"') }), { timeoutMs: 20_000, operation: 'test' });
    expect(started.done).toBe(true);
  } catch (error) {
    child.kill('SIGTERM');
    throw error;
  }
  const { pids, dir } = JSON.parse(output.trim().split('\n').pop() as string) as { pids: number[]; dir: string };
  const ended = async (signal?: NodeJS.Signals): Promise<boolean> => {
    if (signal !== undefined) child.kill(signal);
    const done = await Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 20_000))]);
    if (!done) child.kill('SIGKILL');
    return done;
  };
  return { child, output: () => output, ended, pids, dir };
}

const allGone = async (pids: number[], dir: string): Promise<boolean> =>
  (await pollUntil(async () => ({ done: pids.every((pid) => !alive(pid)) && !existsSync(dir) }), { timeoutMs: 5000, operation: 'test' })).done;

describe('LocalCluster cleanup when the Node process ends without stop()', () => {
  it('leaves SIGINT to a program that handles it: the nodes still run in its handler, and die when it exits', async () => {
    const fixture = await startExitFixture('graceful');
    expect(await fixture.ended('SIGINT'), 'the script ended by itself').toBe(true);
    const report = fixture
      .output()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { graceful?: number })
      .find((line) => line.graceful !== undefined);
    expect(report?.graceful, "the program's own SIGINT handler could still read every node").toBe(3);
    expect(await allGone(fixture.pids, fixture.dir)).toBe(true);
  });

  for (const mode of ['exit', 'throw', 'signal'] as const) {
    it(`kills every redis-server and removes the directory (${mode})`, async () => {
      const fixture = await startExitFixture(mode);
      expect(await fixture.ended(mode === 'signal' ? 'SIGTERM' : undefined), 'the script ended by itself').toBe(true);
      expect(await allGone(fixture.pids, fixture.dir)).toBe(true);
    });
  }
});
