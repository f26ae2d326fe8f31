import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from 'ioredis';
import { ClusterState, ClusterTopology, FailoverController, LocalCluster, type NodeAddress } from '../../src/index';
import { clusterDigest, writeKeys } from '../helpers/dataset';
import { redisCliCheck } from '../helpers/redis-cli';

const [A, B, C] = ['127.0.0.1', '127.0.0.2', '127.0.0.3'] as const;

describe('spreadMasters on a layout that needs two failovers', () => {
  let local: LocalCluster;
  let topology: ClusterTopology;
  let client: Cluster | undefined;
  const ids = new Map<string, string>();

  beforeAll(async () => {
    local = await LocalCluster.start({ masters: 0, replicasPerMaster: 0, create: false, host: [A, B, C] });
    // Hosts A = {M1, M2}, B = {M3, R1, R2}, C = {R3}.
    const at = async (host: string): Promise<NodeAddress> => local.startNode({ host });
    const [m1, m2, m3, r1, r2, r3] = [await at(A), await at(A), await at(B), await at(B), await at(B), await at(C)] as NodeAddress[];
    topology = new ClusterTopology({ seeds: [m1!, m2!, m3!], convergenceTimeoutMs: 20_000 });
    const created = await topology.create([m1!, m2!, m3!], { replicasPerMaster: 0 });
    for (const [name, node] of [['M1', m1], ['M2', m2], ['M3', m3]] as const) {
      ids.set(name, created.nodes.find((n) => n.address === `${node!.host}:${node!.port}`)!.id);
    }
    for (const [name, node, of] of [['R1', r1, 'M1'], ['R2', r2, 'M2'], ['R3', r3, 'M3']] as const) {
      ids.set(name, (await topology.addNode(node!, { as: 'replica', of: ids.get(of)! })).nodeId);
    }
    client = local.client();
    await writeKeys(client, 300, { prefix: 'two-steps' });
  });
  afterAll(async () => {
    client?.disconnect();
    await topology?.close();
    await local?.stop();
  });

  it('fails M3 over to C and then M1 (or M2) over to B: one master per host, every key kept', async () => {
    const digest = await clusterDigest(client!);
    const controller = new FailoverController(topology);
    const plan = await controller.planSpreadMasters();
    expect(plan.before).toEqual({ [A]: 2, [B]: 1, [C]: 0 });
    expect(plan.steps.map((s) => [s.fromHost, s.toHost])).toEqual([
      [B, C],
      [A, B],
    ]);

    const result = await controller.executeSpread(plan);

    expect(result.failovers).toHaveLength(2);
    expect(result.failovers[0]).toMatchObject({ oldMasterId: ids.get('M3'), newMasterId: ids.get('R3') });
    const after = await topology.refresh();
    expect([A, B, C].map((host) => after.slotOwners.filter((m) => ClusterState.hostOf(m) === host).length)).toEqual([1, 1, 1]);
    expect((await controller.planSpreadMasters()).steps).toEqual([]);
    const oracle = await redisCliCheck({ host: ClusterState.hostOf(after.slotOwners[0]!), port: after.slotOwners[0]!.port });
    expect(oracle.ok, oracle.output).toBe(true);
    expect(await clusterDigest(client!)).toEqual(digest);
  });
});
