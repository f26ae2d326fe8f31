import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from 'ioredis';
import { ClusterState, ClusterTopology, FailoverController, LocalCluster, type WatchEvent, type WatchHandle } from '../../src/index';
import { clusterDigest, valueFor, writeKeys } from '../helpers/dataset';
import { redisCliCheck } from '../helpers/redis-cli';
import { startTestCluster, stopTestCluster } from '../helpers/test-cluster';

const HOSTS = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
const KEYS = 1000;

describe('runbook section 13: a host dies (kill -9 of its master and replicas)', () => {
  let local: LocalCluster;
  let topology: ClusterTopology;
  let controller: FailoverController;
  let client: Cluster;
  let watch: WatchHandle | undefined;

  beforeAll(async () => {
    ({ local, topology, client } = await startTestCluster({ host: HOSTS, nodeTimeoutMs: 1000, config: { 'repl-diskless-sync-delay': 0 } }, { convergenceTimeoutMs: 20_000 }));
    controller = new FailoverController(topology, { promotionTimeoutMs: 30_000 });
    await writeKeys(client, KEYS, { prefix: 'drill' });
  });
  afterAll(async () => {
    await watch?.stop();
    await stopTestCluster({ local, topology, client });
  });

  it('watch reports the failure and the promotion; replaceNode adds a replica to the promoted master and forgets the dead one everywhere; no key is lost', async () => {
    const digest = await clusterDigest(client);
    const before = await topology.refresh();
    // The dead host holds one master and the replica of another master (anti-affinity layout).
    const deadHost = HOSTS[2]!;
    const dead = before.nodes.filter((node) => ClusterState.hostOf(node) === deadHost);
    const deadMaster = dead.find((node) => node.role === 'master')!;
    const heir = before.replicasOf(deadMaster.id)[0]!;
    expect(ClusterState.hostOf(heir)).not.toBe(deadHost);
    expect(dead.filter((node) => node.role === 'replica')).toHaveLength(1);

    const events: WatchEvent[] = [];
    for (const name of ['node-pfail', 'node-fail', 'node-recovered', 'replica-promoted', 'master-without-replicas', 'node-left', 'node-joined'] as const) {
      controller.on(name, (payload: unknown) => void events.push({ name, payload } as WatchEvent));
    }
    const started = new Promise((resolve) => controller.once('watch-started', resolve));
    watch = controller.watch({ intervalMs: 150 });
    await started;

    for (const node of dead) await local.killNode(node.address, 'SIGKILL');
    const replacement = await local.startNode({ host: deadHost });
    const result = await controller.replaceNode(deadMaster.id, replacement);

    expect(result).toMatchObject({ deadId: deadMaster.id, deadRole: 'master', promotedId: heir.id, masterId: heir.id });
    // One node forgets the dead replica by hand first: forgetEverywhere takes its "Unknown node" as done.
    const deadReplica = dead.find((node) => node.role === 'replica')!;
    await topology.pool.get(heir.address).forget(deadReplica.id);
    const forgotten = await topology.forgetEverywhere(deadReplica.id);
    expect(forgotten.forgottenBy).toContain(heir.address);
    expect(forgotten.forgottenBy).toHaveLength((await topology.refresh()).views.length);
    await watch.stop();

    const of = (name: WatchEvent['name'], id: string): boolean => events.some((e) => e.name === name && 'nodeId' in e.payload && e.payload.nodeId === id);
    expect(of('node-fail', deadMaster.id)).toBe(true);
    expect(dead.some((node) => of('node-pfail', node.id) || of('node-fail', node.id))).toBe(true);
    expect(of('replica-promoted', heir.id)).toBe(true);
    expect(of('master-without-replicas', heir.id)).toBe(true);
    expect(of('node-left', deadMaster.id)).toBe(true);
    expect(of('node-joined', result.newNodeId)).toBe(true);
    const promoted = events.find((e) => e.name === 'replica-promoted')!;
    expect(promoted.payload).toMatchObject({ previousMasterId: deadMaster.id, slots: deadMaster.slots.toString() });
    const failIndex = events.findIndex((e) => e.name === 'node-fail' && e.payload.nodeId === deadMaster.id);
    expect(failIndex).toBeLessThan(events.indexOf(promoted));

    // A fresh view from a live seed: no node lists the dead ones, in handshake or otherwise.
    const fresh = new ClusterTopology({ seeds: [{ host: heir.host, port: heir.port }] });
    try {
      const state = await fresh.refresh();
      for (const view of state.views) {
        for (const gone of dead) {
          expect(view.nodes.some((n) => n.id === gone.id || n.address === gone.address)).toBe(false);
        }
      }
      expect(state.requireNode(result.newNodeId)).toMatchObject({ role: 'replica', masterId: heir.id });
      expect(state.requireNode(heir.id).slots.toString()).toBe(deadMaster.slots.toString());

      // The master whose replica died on that host gets a new one there too: the cluster is whole.
      const orphan = state.slotOwners.find((m) => state.replicasOf(m.id).length === 0)!;
      const added = await fresh.addNode(await local.startNode({ host: deadHost }), { as: 'replica' });
      expect(added.masterId).toBe(orphan.id);
      const report = await fresh.check();
      expect(report.problems).toEqual([]);
    } finally {
      await fresh.close();
    }

    expect((await redisCliCheck({ host: heir.host, port: heir.port })).ok).toBe(true);
    // A client that starts now (the old one's node list may lag): same keys, same values.
    const after = local.client();
    try {
      await new Promise((resolve) => after.once('ready', resolve));
      expect(await clusterDigest(after)).toEqual(digest);
      const values = await Promise.all(Array.from({ length: KEYS }, (_, i) => after.get(`drill:${i}`)));
      expect(values.every((value, i) => value === valueFor('drill', i))).toBe(true);
    } finally {
      after.disconnect();
    }
  });
  it('replaceNode of a dead replica forgets it and gives its master a new replica', async () => {
    const state = await topology.refresh();
    const replica = state.replicas.find((r) => r.reachable)!;
    const master = state.requireNode(replica.masterId!);
    await local.killNode(replica.address, 'SIGKILL');
    const newNode = await local.startNode({ host: replica.host });

    const result = await controller.replaceNode(replica.id, newNode);

    expect(result).toMatchObject({ deadId: replica.id, deadRole: 'replica', masterId: master.id });
    expect(result.promotedId).toBeUndefined();
    const after = await topology.refresh();
    expect(after.node(replica.id)).toBeUndefined();
    expect(after.requireNode(result.newNodeId)).toMatchObject({ role: 'replica', masterId: master.id });
    expect((await redisCliCheck(newNode)).ok).toBe(true);
  });
});
