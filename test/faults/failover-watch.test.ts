import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterTopology, FailoverController, LocalCluster, type WatchEvent } from '../../src/index';
import { pollUntil } from '../../src/util/poll';
import { startLocalCluster } from '../helpers/test-cluster';

describe('FailoverController.watch on a killed node (kill -9, then restart)', () => {
  let local: LocalCluster;
  let topology: ClusterTopology;

  beforeAll(async () => {
    local = await startLocalCluster({ host: ['127.0.0.1', '127.0.0.2', '127.0.0.3'], nodeTimeoutMs: 1000 });
    topology = new ClusterTopology({ seeds: local.seeds, commandTimeoutMs: 2000, connectTimeoutMs: 1000 });
  });
  afterAll(async () => {
    await topology?.close();
    await local?.stop();
  });

  it('reports the replica failing, its master left without replicas, then the replica recovering; stop() ends it and nothing comes after', async () => {
    const controller = new FailoverController(topology);
    const state = await topology.refresh();
    const replica = state.replicas[0]!;
    const events: WatchEvent[] = [];
    for (const name of ['node-pfail', 'node-fail', 'node-recovered', 'master-without-replicas', 'replica-promoted'] as const) {
      controller.on(name, (payload: unknown) => void events.push({ name, payload } as WatchEvent));
    }
    const stopped: number[] = [];
    controller.on('watch-stopped', (event) => stopped.push(event.polls));
    const handle = controller.watch({ intervalMs: 100 });

    await local.killNode(replica.address, 'SIGKILL');
    await pollUntil(async () => ({ done: events.some((e) => e.name === 'node-fail' && e.payload.nodeId === replica.id) }), { timeoutMs: 20_000, operation: 'await fail' });
    // Restarted with its nodes.conf: same id, rejoins as the same master's replica.
    await local.restartNode(replica.address);
    await pollUntil(async () => ({ done: events.some((e) => e.name === 'node-recovered' && e.payload.nodeId === replica.id) }), { timeoutMs: 20_000, operation: 'await recovery' });
    await handle.stop();

    const about = events.filter((e) => 'nodeId' in e.payload && (e.payload.nodeId === replica.id || e.payload.nodeId === replica.masterId));
    const names = about.map((e) => e.name);
    expect(names.indexOf('node-fail')).toBeLessThan(names.lastIndexOf('node-recovered'));
    expect(about.find((e) => e.name === 'master-without-replicas')?.payload).toMatchObject({ nodeId: replica.masterId });
    expect(about.find((e) => e.name === 'node-recovered')?.payload).toMatchObject({ nodeId: replica.id, role: 'replica', from: 'fail' });
    expect(names).not.toContain('replica-promoted');
    expect(handle.running).toBe(false);
    expect(stopped).toHaveLength(1);

    const count = events.length;
    await local.killNode(replica.address);
    await pollUntil(async () => ({ done: (await topology.refresh()).node(replica.id)?.suspected === true }), { timeoutMs: 20_000, operation: 'await pfail' });
    expect(events.length).toBe(count);
  });

  it('stop() returns even while a snapshot hangs on a frozen node (SIGSTOP)', async () => {
    const controller = new FailoverController(topology);
    const replica = (await topology.refresh()).replicas.find((r) => r.reachable)!;
    await local.freezeNode(replica.address);
    try {
      const handle = controller.watch({ intervalMs: 100 });
      await handle.stop();
      expect(handle.running).toBe(false);
    } finally {
      await local.thawNode(replica.address);
    }
  });

  it('an AbortSignal ends the watch too, and a second watch() while one runs is refused', async () => {
    const controller = new FailoverController(topology);
    const abort = new AbortController();
    const handle = controller.watch({ intervalMs: 100, signal: abort.signal });
    expect(() => controller.watch()).toThrow(/already running/);
    abort.abort();
    await handle.done;
    expect(handle.running).toBe(false);
    const again = controller.watch({ intervalMs: 100 });
    await controller.stop();
    expect(again.running).toBe(false);
  });
});
