import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FailoverController, LocalCluster, NodePool } from '../../src/index';
import { pollUntil } from '../../src/util/poll';
import { alive } from '../helpers/process-alive';


describe('lifecycle: await using, and a forgotten close()', () => {
  let local: LocalCluster;
  let probe: NodePool;
  beforeAll(async () => {
    local = await LocalCluster.start({ masters: 3, replicasPerMaster: 0 });
    probe = new NodePool();
  });
  afterAll(async () => {
    await probe?.close();
    await local?.stop();
  });

  const clientsOn = async (): Promise<number> => Number((await probe.get(local.seeds[0]!).info('clients'))['connected_clients']);

  it('a script that forgets close() and stop() still exits by itself, and leaves no redis-server behind', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/forgotten-close.ts'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const outcome = await Promise.race([exited.then((code) => ({ code })), new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 45_000))]);
    // SIGTERM, not SIGKILL: the child's exit hook then stops its redis-server processes.
    if (outcome === undefined) child.kill('SIGTERM');
    expect(outcome, `the script ended by itself; output: ${output}`).toEqual({ code: 0 });
    const { masters, pids } = JSON.parse(output.trim().split('\n').pop() as string) as { masters: number; pids: number[] };
    expect(masters).toBe(3);
    const gone = await pollUntil(async () => ({ done: pids.every((pid) => !alive(pid)) }), { timeoutMs: 10_000, operation: 'test' });
    expect(gone.done).toBe(true);
  });

  it('await using closes a topology, a pool and a watch at the end of the block', async () => {
    const before = await clientsOn();
    let watchRunning: () => boolean = () => true;
    {
      await using topology = local.topology();
      await using pool = new NodePool();
      await topology.refresh();
      await pool.get(local.seeds[0]!).ping();
      const controller = new FailoverController(topology);
      await using watch = controller.watch({ intervalMs: 200 });
      watchRunning = () => watch.running;
      expect(await clientsOn()).toBeGreaterThanOrEqual(before + 2);
    }
    expect(watchRunning()).toBe(false);
    const closed = await pollUntil(async () => ({ done: (await clientsOn()) === before }), { timeoutMs: 10_000, operation: 'test' });
    expect(closed.done).toBe(true);
  });

  it('await using stops a LocalCluster: its processes end and its directory goes', async () => {
    let pids: number[] = [];
    {
      await using extra = await LocalCluster.start({ masters: 3, replicasPerMaster: 0, create: false });
      pids = extra.nodes.map((node) => node.pid as number);
      expect(pids.every(alive)).toBe(true);
    }
    const gone = await pollUntil(async () => ({ done: pids.every((pid) => !alive(pid)) }), { timeoutMs: 10_000, operation: 'test' });
    expect(gone.done).toBe(true);
  });
});
