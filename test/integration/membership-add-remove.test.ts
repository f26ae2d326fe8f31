import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from 'ioredis';
import {
  ClusterState,
  ClusterTopology,
  CommandFailedError,
  keySlot,
  LocalCluster,
  MasterOwnsSlotsError,
  NodeAlreadyMemberError,
  NodeNotEmptyError,
  NodeStillReachableError,
  NotAMasterError,
  NotAReplicaError,
  NotClusterNodeError,
  UnknownNodeError,
  type MembershipStepEvent,
  type NodeAddedEvent,
} from '../../src/index';
import { pollUntil } from '../../src/util/poll';
import { clusterDigest, writeKeys } from '../helpers/dataset';
import { redisCliCheck } from '../helpers/redis-cli';
import { startTestCluster, stopTestCluster, testConfig } from '../helpers/test-cluster';

const HOSTS = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
const UNKNOWN = '0123456789abcdef0123456789abcdef01234567';

/** Moves one slot with its keys by hand (SETSLOT protocol): proves a node is usable as a migration target. */
async function moveSlot(topology: ClusterTopology, slot: number, fromId: string, toId: string): Promise<void> {
  const state = await topology.refresh();
  const from = state.requireNode(fromId);
  const to = state.requireNode(toId);
  await topology.pool.get(to.address).setSlot(slot, 'IMPORTING', fromId);
  await topology.pool.get(from.address).setSlot(slot, 'MIGRATING', toId);
  for (;;) {
    const keys = await topology.pool.get(from.address).getKeysInSlot(slot, 100);
    if (keys.length === 0) break;
    await topology.pool.get(from.address).migrate({ host: to.host, port: to.port }, keys, { timeoutMs: 5000 });
  }
  await topology.pool.get(to.address).setSlot(slot, 'NODE', toId);
  // The source may already be a replica of the target (it lost its last slot): nothing to tell it.
  await topology.pool
    .get(from.address)
    .setSlot(slot, 'NODE', toId)
    .catch((error: unknown) => {
      if (!(error instanceof CommandFailedError && error.reply.includes('only with masters'))) throw error;
    });
  const others = state.masters.filter((m) => m.reachable && m.id !== fromId && m.id !== toId);
  await Promise.all(others.map((m) => topology.pool.get(m.address).setSlot(slot, 'NODE', toId)));
  await topology.waitForConvergence({ timeoutMs: 15_000 });
}

describe('ClusterTopology membership: addNode, replicate, removeNode', () => {
  let local: LocalCluster;
  let topology: ClusterTopology;
  let client: Cluster;
  let digest: { keys: number; sha256: string };

  beforeAll(async () => {
    ({ local, topology, client } = await startTestCluster({ host: HOSTS, nodeTimeoutMs: 2000, config: { 'repl-diskless-sync-delay': 0 } }, { convergenceTimeoutMs: 20_000 }));
    await writeKeys(client, 600, { prefix: 'member' });
    digest = await clusterDigest(client);
  });
  afterAll(() => stopTestCluster({ local, topology, client }));

  it('adds a master that every node knows on return, which is at once usable as a migration target, and refuses to remove it while it owns a slot', async () => {
    const node = await local.startNode({ host: '127.0.0.2' });
    const added: NodeAddedEvent[] = [];
    const steps: MembershipStepEvent[] = [];
    topology.on('node-added', (event) => added.push(event));
    topology.on('membership-step', (event) => steps.push(event));

    const result = await topology.addNode(node, { as: 'master' });

    expect(result).toMatchObject({ role: 'master', address: `127.0.0.2:${node.port}` });
    expect(added).toEqual([expect.objectContaining({ nodeId: result.nodeId, role: 'master' })]);
    expect(steps.map((s) => s.step)).toEqual(['preflight', 'meet', 'await-join']);
    // Every node knows it right away (no waiting on gossip), and it knows all of them.
    const views = await Promise.all(local.seeds.map((seed) => topology.pool.get(seed).clusterNodes()));
    for (const view of views) expect(view.find((n) => n.id === result.nodeId)?.handshake).toBe(false);
    expect((await topology.pool.get(node).clusterNodes()).length).toBe((await topology.refresh()).nodes.length);
    expect((await topology.pool.get(node).clusterInfo())['cluster_state']).toBe('ok');
    // The node got its own cluster-node-timeout back after the fast join.
    expect(await topology.pool.get(node).configGet('cluster-node-timeout')).toEqual({ 'cluster-node-timeout': '2000' });

    const slot = keySlot('member:1');
    const owner = (await topology.refresh()).ownerOf(slot)!;
    const value = await client.get('member:1');
    await moveSlot(topology, slot, owner.id, result.nodeId);
    expect((await topology.refresh()).ownerOf(slot)?.id).toBe(result.nodeId);
    expect(await topology.pool.get(node).countKeysInSlot(slot)).toBeGreaterThan(0);
    expect(await client.get('member:1')).toBe(value);

    const refused = await topology.removeNode(result.nodeId).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MasterOwnsSlotsError);
    expect((refused as Error).message).toContain('drain it');
    expect((await topology.refresh()).node(result.nodeId)).toBeDefined();

    // Moving its last slot away makes it a replica of the slot's new owner (Redis 7's
    // cluster-allow-replica-migration): removeNode takes it either way.
    await moveSlot(topology, slot, result.nodeId, owner.id);
    const removed = await topology.removeNode(result.nodeId);
    expect(removed).toMatchObject({ reset: true, shutdown: false });
    const after = await topology.refresh();
    expect(after.node(result.nodeId)).toBeUndefined();
    // Reset: it forgot the cluster and will not come back.
    expect((await topology.pool.get(node).clusterInfo())['cluster_known_nodes']).toBe('1');
  });

  it('adds a replica to the master with the fewest replicas on another host, then moves it to a chosen master', async () => {
    const node = await local.startNode({ host: '127.0.0.1' });
    const result = await topology.addNode(node, { as: 'replica' });

    const state = await topology.refresh();
    const master = state.requireNode(result.masterId!);
    expect(result.sameHost).toBe(false);
    expect(ClusterState.hostOf(master)).not.toBe('127.0.0.1');
    expect(master.slots.size).toBeGreaterThan(0);
    for (const view of state.views) expect(view.nodes.find((n) => n.id === result.nodeId)).toMatchObject({ role: 'replica', masterId: master.id });
    const info = await topology.pool.get(node).info('replication');
    expect(info['master_link_status']).toBe('up');
    expect(await topology.pool.get(node).configGet('cluster-node-timeout')).toEqual({ 'cluster-node-timeout': '2000' });

    const other = state.masters.find((m) => m.id !== master.id && m.host !== '127.0.0.1')!;
    const moved = await topology.replicate(result.nodeId, other.id);
    expect(moved).toMatchObject({ changed: true, previousMasterId: master.id, masterId: other.id, sameHost: false });
    for (const view of (await topology.refresh()).views) {
      expect(view.nodes.find((n) => n.id === result.nodeId)?.masterId).toBe(other.id);
    }
    expect(await topology.replicate(result.nodeId, other.id)).toMatchObject({ changed: false });
    expect(await topology.pool.get(node).configGet('cluster-node-timeout')).toEqual({ 'cluster-node-timeout': '2000' });

    // Remove it with shutdown: forgotten everywhere, process gone.
    const removed = await topology.removeNode(result.nodeId, { shutdown: true });
    expect(removed).toMatchObject({ role: 'replica', reset: true, shutdown: true });
    expect((await topology.refresh()).node(result.nodeId)).toBeUndefined();
    await expect(topology.pool.get(node).ping()).rejects.toThrow();
  });

  it('adds a replica of a chosen master, and re-homes it when its (empty) master is removed', async () => {
    const masterNode = await local.startNode({ host: '127.0.0.3' });
    const replicaNode = await local.startNode({ host: '127.0.0.1' });
    const emptyMaster = await topology.addNode(masterNode, { as: 'master' });
    const replica = await topology.addNode(replicaNode, { as: 'replica', of: emptyMaster.nodeId });
    expect(replica).toMatchObject({ masterId: emptyMaster.nodeId, sameHost: false });

    const removed = await topology.removeNode(emptyMaster.nodeId, { shutdown: true });
    expect(removed.rehomed).toHaveLength(1);
    const state = await topology.refresh();
    expect(state.node(emptyMaster.nodeId)).toBeUndefined();
    const newMaster = state.requireNode(removed.rehomed[0]!.toMasterId);
    expect(newMaster.slots.size).toBeGreaterThan(0);
    expect(state.requireNode(replica.nodeId).masterId).toBe(newMaster.id);
    expect(ClusterState.hostOf(newMaster)).not.toBe('127.0.0.1');

    await topology.removeNode(replica.nodeId, { shutdown: true });
    expect((await topology.refresh()).node(replica.nodeId)).toBeUndefined();
  });

  it('resumes the join of a node that an earlier, interrupted addNode only introduced to one member', async () => {
    const node = await local.startNode({ host: '127.0.0.3' });
    const seed = local.seeds[0]!;
    await topology.pool.get(seed).meet(node.host, node.port);
    await pollUntil(async () => ({ done: Number((await topology.pool.get(node).clusterInfo())['cluster_known_nodes']) > 1 }), { timeoutMs: 5000, operation: 'meet' });

    const result = await topology.addNode(node, { as: 'replica' });
    for (const view of (await topology.refresh()).views) {
      expect(view.nodes.find((n) => n.id === result.nodeId)).toMatchObject({ role: 'replica', masterId: result.masterId });
    }
    await expect(topology.addNode(node, { as: 'replica' })).rejects.toBeInstanceOf(NodeAlreadyMemberError);
    await topology.removeNode(result.nodeId, { shutdown: true });
  });

  it('refuses, before sending anything, a node that is not cluster-enabled, holds keys, belongs to another cluster or already is a member', async () => {
    const before = (await topology.refresh()).nodes.map((n) => n.id).sort();

    const plain = await local.startNode({ config: { 'cluster-enabled': 'no' } });
    const notCluster = await topology.addNode(plain, { as: 'master' }).catch((e: unknown) => e);
    expect(notCluster).toBeInstanceOf(NotClusterNodeError);
    expect((notCluster as Error).message).toContain("set 'cluster-enabled yes'");

    // A cluster node without slots refuses SET (CLUSTERDOWN): DEBUG POPULATE writes keys anyway.
    const withKeys = await local.startNode({ config: testConfig({ 'enable-debug-command': 'yes' }) });
    await topology.pool.get(withKeys).call(['DEBUG', 'POPULATE', 3]);
    const notEmpty = await topology.addNode(withKeys, { as: 'replica' }).catch((e: unknown) => e);
    expect(notEmpty).toBeInstanceOf(NodeNotEmptyError);
    expect((notEmpty as NodeNotEmptyError).reason).toBe('keys');

    const [x, y] = [await local.startNode(), await local.startNode()];
    await topology.pool.get(x).meet(y.host, y.port);
    await pollUntil(async () => ({ done: (await topology.pool.get(x).clusterInfo())['cluster_known_nodes'] === '2' }), { timeoutMs: 5000, operation: 'meet' });
    const otherCluster = await topology.addNode(x, { as: 'master' }).catch((e: unknown) => e);
    expect(otherCluster).toBeInstanceOf(NodeNotEmptyError);
    expect((otherCluster as NodeNotEmptyError).reason).toBe('knows-other-nodes');

    const member = await topology.addNode(local.seeds[0]!, { as: 'master' }).catch((e: unknown) => e);
    expect(member).toBeInstanceOf(NodeAlreadyMemberError);

    expect((await topology.pool.get(withKeys).clusterInfo())['cluster_known_nodes']).toBe('1');
    expect((await topology.refresh()).nodes.map((n) => n.id).sort()).toEqual(before);
  });

  it('refuses unknown ids, a master passed as a replica, a replica passed as a master, and forgetting a live node or a slot owner, with typed errors and no change', async () => {
    const state = await topology.refresh();
    const master = state.slotOwners[0]!;
    const replica = state.replicas[0]!;
    const spare = await local.startNode();

    await expect(topology.removeNode(UNKNOWN)).rejects.toBeInstanceOf(UnknownNodeError);
    await expect(topology.forgetEverywhere(UNKNOWN)).rejects.toBeInstanceOf(UnknownNodeError);
    await expect(topology.replicate(UNKNOWN, master.id)).rejects.toBeInstanceOf(UnknownNodeError);
    await expect(topology.replicate(master.id, state.slotOwners[1]!.id)).rejects.toBeInstanceOf(NotAReplicaError);
    await expect(topology.replicate(replica.id, state.replicas[1]!.id)).rejects.toBeInstanceOf(NotAMasterError);
    await expect(topology.addNode(spare, { as: 'replica', of: replica.id })).rejects.toBeInstanceOf(NotAMasterError);
    await expect(topology.addNode(spare, { as: 'replica', of: UNKNOWN })).rejects.toBeInstanceOf(UnknownNodeError);
    await expect(topology.forgetEverywhere(replica.id)).rejects.toBeInstanceOf(NodeStillReachableError);
    await expect(topology.forgetEverywhere(master.id)).rejects.toBeInstanceOf(MasterOwnsSlotsError);

    const after = await topology.refresh();
    expect(after.requireNode(replica.id).masterId).toBe(replica.masterId);
    expect(after.nodes.length).toBe(state.nodes.length);
    expect((await topology.pool.get(spare).clusterInfo())['cluster_known_nodes']).toBe('1');
  });

  it('leaves a cluster that redis-cli --cluster check accepts, with every key present', async () => {
    expect((await redisCliCheck(local.seeds[0]!)).ok).toBe(true);
    expect((await topology.check()).ok).toBe(true);
    const fresh = local.client();
    await new Promise((resolve) => fresh.once('ready', resolve));
    try {
      expect(await clusterDigest(fresh)).toEqual(digest);
    } finally {
      fresh.disconnect();
    }
  });
});
