import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationError, ClusterTopology, LocalCluster, NodeUnreachableError, NotClusterNodeError, type ClusterProblem } from '../../src/index';
import { pollUntil } from '../../src/util/poll';
import { redisCliCheck } from '../helpers/redis-cli';
import { startLocalCluster } from '../helpers/test-cluster';

describe('ClusterTopology.check on a real cluster broken by hand', () => {
  let local: LocalCluster;
  let topology: ClusterTopology;

  beforeAll(async () => {
    local = await startLocalCluster({ masters: 3, replicasPerMaster: 1, host: ['127.0.0.1', '127.0.0.2', '127.0.0.3'], nodeTimeoutMs: 1000 });
    topology = local.topology();
  });
  afterAll(async () => {
    await topology?.close();
    await local?.stop();
  });

  const problem = async (code: ClusterProblem['code']): Promise<ClusterProblem | undefined> => (await topology.check()).problems.find((p) => p.code === code);

  it('is ok on a fresh cluster, as redis-cli --cluster check says', async () => {
    const report = await topology.check();
    expect(report.ok).toBe(true);
    expect(report.problems).toEqual([]);
    expect((await redisCliCheck(local.seeds[0]!)).ok).toBe(true);
  });

  it('finds a slot left MIGRATING, with the node and direction, and clears once it is STABLE', async () => {
    const state = await topology.refresh();
    const [source, target] = state.masters as [(typeof state.masters)[number], (typeof state.masters)[number]];
    const slot = source.slots.ranges[0]![0];
    await topology.pool.get(source.address).setSlot(slot, 'MIGRATING', target.id);

    const open = await problem('open-slot');
    expect(open).toMatchObject({ nodeId: source.id, slots: String(slot), state: 'migrating', peerId: target.id, severity: 'error' });
    expect((await redisCliCheck(local.seeds[0]!)).output).toMatch(/open slot|migrating/i);

    await topology.pool.get(source.address).setSlot(slot, 'STABLE');
    expect(await problem('open-slot')).toBeUndefined();
  });

  it('finds uncovered slots after DELSLOTS, as redis-cli does', async () => {
    const state = await topology.refresh();
    const owner = state.masters[0]!;
    const slot = owner.slots.ranges[0]![0];
    await topology.pool.get(owner.address).call(['CLUSTER', 'DELSLOTS', slot]);

    const uncovered = await problem('uncovered-slots');
    expect(uncovered?.slots).toBe(String(slot));
    expect((await topology.check()).ok).toBe(false);
    expect((await redisCliCheck(local.seeds[0]!)).ok).toBe(false);

    await topology.pool.get(owner.address).call(['CLUSTER', 'ADDSLOTS', slot]);
    await topology.waitForConvergence({ timeoutMs: 10_000 });
  });

  it('finds a killed replica unreachable and failed, and its master without replica', async () => {
    const state = await topology.refresh();
    const replica = state.replicas[0]!;
    await local.killNode(replica.id);
    await pollUntil(async () => ({ done: (await topology.refresh()).node(replica.id)?.failed === true }), { timeoutMs: 15_000, operation: 'test' });

    const report = await topology.check();
    const codes = report.problems.map((p) => p.code);
    expect(codes).toContain('node-unreachable');
    expect(codes).toContain('node-failed');
    expect(report.problems.find((p) => p.code === 'master-without-replica')?.nodeId).toBe(replica.masterId);

    await local.restartNode(replica.address);
    await pollUntil(async () => ({ done: (await topology.check()).problems.length === 0 }), { timeoutMs: 15_000, operation: 'test' });
  });
});

describe('connections fail with typed errors naming the node', () => {
  let local: LocalCluster;
  beforeAll(async () => {
    local = await startLocalCluster({ masters: 3, replicasPerMaster: 0, password: 's3cret-Pa55' });
  });
  afterAll(async () => {
    await local?.stop();
  });

  it('works with the right password and never shows it in errors', async () => {
    const topology = local.topology();
    try {
      expect((await topology.check()).ok).toBe(true);
    } finally {
      await topology.close();
    }
    const wrong = new ClusterTopology({ seeds: local.seeds, password: 'not-the-password' });
    try {
      const error = await wrong.refresh().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(local.nodes.map((n) => n.address)).toContain((error as AuthenticationError).address);
      expect(JSON.stringify({ message: (error as Error).message, details: (error as AuthenticationError).details, stack: (error as Error).stack })).not.toContain('not-the-password');
    } finally {
      await wrong.close();
    }
  });

  it('reports an unreachable seed as NodeUnreachableError and a non-cluster node as NotClusterNodeError', async () => {
    const dead = new ClusterTopology({ seeds: [{ host: '127.0.0.1', port: 1 }], connectTimeoutMs: 500 });
    try {
      await expect(dead.refresh()).rejects.toBeInstanceOf(NodeUnreachableError);
    } finally {
      await dead.close();
    }
    const plain = await local.startNode({ config: { 'cluster-enabled': 'no' } });
    const notCluster = new ClusterTopology({ seeds: [plain], password: 's3cret-Pa55' });
    try {
      await expect(notCluster.refresh()).rejects.toBeInstanceOf(NotClusterNodeError);
    } finally {
      await notCluster.close();
    }
  });
});
