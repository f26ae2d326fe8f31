import { afterEach, describe, expect, it } from 'vitest';
import {
  ClusterTopology,
  LocalCluster,
  keySlot,
  NodeNotEmptyError,
  NotClusterNodeError,
  type CreateStepEvent,
} from '../../src/index';
import { pollUntil } from '../../src/util/poll';
import { clusterDigest, writeKeys } from '../helpers/dataset';
import { redisCliCheck } from '../helpers/redis-cli';
import { startLocalCluster } from '../helpers/test-cluster';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

async function standaloneNodes(count: number, host?: string | string[], config?: Record<string, string | number>): Promise<LocalCluster> {
  const local = await startLocalCluster({ masters: count, replicasPerMaster: 0, create: false, ...(host === undefined ? {} : { host }), ...(config === undefined ? {} : { config }) });
  cleanups.push(() => local.stop());
  return local;
}

function newTopology(): ClusterTopology {
  const topology = new ClusterTopology({ seeds: [] });
  cleanups.push(() => topology.close());
  return topology;
}

describe('ClusterTopology.create', () => {
  it('creates 3 masters x 1 replica on one host that redis-cli --cluster check accepts and clients can use', async () => {
    const local = await standaloneNodes(6);
    const topology = newTopology();
    const steps: CreateStepEvent[] = [];
    topology.on('create-step', (event) => steps.push(event));

    const result = await topology.create(local.seeds, { replicasPerMaster: 1 });

    expect(steps.map((s) => s.step)).toEqual(['preflight', 'assign-slots', 'set-epochs', 'meet', 'await-join', 'replicate', 'await-ok']);
    expect(result.nodes.filter((n) => n.role === 'master')).toHaveLength(3);
    expect(result.nodes.filter((n) => n.role === 'replica')).toHaveLength(3);
    expect((await redisCliCheck(local.seeds[0]!)).ok).toBe(true);
    const report = await topology.check();
    expect(report.ok).toBe(true);
    expect(report.problems.every((p) => p.code === 'replica-same-host')).toBe(true);

    const client = local.client();
    cleanups.push(async () => void client.disconnect());
    await writeKeys(client, 300);
    expect((await clusterDigest(client)).keys).toBe(300);
  });

  it('places masters and replicas on different hosts over 127.0.0.1-3, and restores cluster-node-timeout after the fast join', async () => {
    const local = await standaloneNodes(6, ['127.0.0.1', '127.0.0.2', '127.0.0.3'], { 'cluster-node-timeout': 15000 });
    const topology = newTopology();
    const result = await topology.create(local.seeds, { replicasPerMaster: 1 });

    expect(result.plan.antiAffinity).toBe(true);
    const state = await topology.refresh();
    expect(new Set(state.masters.map((m) => m.host)).size).toBe(3);
    for (const replica of state.replicas) {
      expect(state.node(replica.masterId!)?.host).not.toBe(replica.host);
    }
    const report = await topology.check();
    expect(report.problems).toEqual([]);
    expect((await redisCliCheck(local.seeds[0]!)).ok).toBe(true);
    for (const node of local.seeds) {
      expect(await topology.pool.get(node).configGet('cluster-node-timeout')).toEqual({ 'cluster-node-timeout': '15000' });
    }
  });

  it('refuses a node that is not configured as a cluster node, naming it, before touching any node', async () => {
    const local = await standaloneNodes(3);
    const plain = await local.startNode({ config: { 'cluster-enabled': 'no' } });
    const topology = newTopology();
    const error = await topology.create([...local.seeds.slice(0, 2), plain], { replicasPerMaster: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotClusterNodeError);
    expect((error as Error).message).toContain(`Node ${plain.host}:${plain.port} is not configured as a cluster node`);
    for (const seed of local.seeds.slice(0, 2)) {
      expect((await topology.pool.get(seed).clusterInfo())['cluster_slots_assigned']).toBe('0');
    }
  });

  it('refuses a node that holds keys or already serves slots, with the runbook fix', async () => {
    const local = await standaloneNodes(3);
    const topology = newTopology();
    const [first, second] = local.seeds as [{ host: string; port: number }, { host: string; port: number }];
    // A cluster node only takes a write for a slot it serves: serve the key's slot, write, give the slot up.
    await topology.pool.get(first).call(['CONFIG', 'SET', 'cluster-require-full-coverage', 'no']);
    await topology.pool.get(first).call(['CLUSTER', 'ADDSLOTS', keySlot('leftover')]);
    await pollUntil(async () => ({ done: (await topology.pool.get(first).clusterInfo())['cluster_state'] === 'ok' }), { timeoutMs: 10_000, operation: 'test' });
    await topology.pool.get(first).call(['SET', 'leftover', '1']);
    await topology.pool.get(first).call(['CLUSTER', 'DELSLOTS', keySlot('leftover')]);
    const keys = await topology.create(local.seeds, { replicasPerMaster: 0 }).catch((e: unknown) => e);
    expect(keys).toBeInstanceOf(NodeNotEmptyError);
    expect((keys as NodeNotEmptyError).reason).toBe('keys');

    await topology.pool.get(first).call(['FLUSHALL']);
    await topology.pool.get(second).call(['CLUSTER', 'ADDSLOTS', 5]);
    const slots = await topology.create(local.seeds, { replicasPerMaster: 0 }).catch((e: unknown) => e);
    expect(slots).toBeInstanceOf(NodeNotEmptyError);
    expect((slots as Error).message).toMatch(/already busy|nodes-PORT\.conf|CLUSTER RESET/);
  });

  it('LocalCluster.start creates a cluster that waitForConvergence confirms at once', async () => {
    const local = await startLocalCluster({ masters: 3, replicasPerMaster: 0 });
    cleanups.push(() => local.stop());
    const topology = local.topology();
    cleanups.push(() => topology.close());
    const { state } = await topology.waitForConvergence({ requireStateOk: true, timeoutMs: 5000 });
    expect(state.masters).toHaveLength(3);
    expect(state.uncoveredSlots().size).toBe(0);
  });
});
