import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from 'ioredis';
import { ClusterState, ClusterTopology, FailoverController, LocalCluster, type RehomePlan, type SpreadMastersPlan } from '../../src/index';
import { pollUntil } from '../../src/util/poll';
import { clusterDigest, writeKeys } from '../helpers/dataset';
import { redisCliCheck } from '../helpers/redis-cli';
import { startTestCluster, stopTestCluster } from '../helpers/test-cluster';

const HOSTS = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];

describe('FailoverController.rehomeReplicas and spreadMasters', () => {
  let local: LocalCluster;
  let topology: ClusterTopology;
  let controller: FailoverController;
  let client: Cluster;
  let digest: { keys: number; sha256: string };

  beforeAll(async () => {
    // Redis's own replica migration would race rehomeReplicas: switch it off to watch ours.
    ({ local, topology, client } = await startTestCluster({ host: HOSTS, nodeTimeoutMs: 1000, config: { 'repl-diskless-sync-delay': 0, 'cluster-allow-replica-migration': 'no' } }, { convergenceTimeoutMs: 20_000 }));
    controller = new FailoverController(topology);
    await writeKeys(client, 400, { prefix: 'spread' });
    digest = await clusterDigest(client);
  });
  afterAll(() => stopTestCluster({ local, topology, client }));

  it("gives a master whose replica died a spare replica of another master, never on the target's host", async () => {
    const state = await topology.refresh();
    const [donor, needy] = state.slotOwners as [ClusterState['nodes'][number], ClusterState['nodes'][number]];
    const spareHost = HOSTS.find((host) => host !== ClusterState.hostOf(donor) && host !== ClusterState.hostOf(needy))!;
    const spare = await topology.addNode(await local.startNode({ host: spareHost }), { as: 'replica', of: donor.id });
    const doomed = state.replicasOf(needy.id)[0]!;
    await local.killNode(doomed.address);
    await pollUntil(async () => ({ done: (await topology.refresh()).node(doomed.id)?.failed === true }), { timeoutMs: 20_000, operation: 'await fail' });

    const planned: RehomePlan[] = [];
    controller.once('rehome-planned', (plan) => planned.push(plan));
    const result = await controller.rehomeReplicas();

    expect(planned).toHaveLength(1);
    expect(result.moved).toHaveLength(1);
    const move = result.moved[0]!;
    expect(move).toMatchObject({ fromMasterId: donor.id, toMasterId: needy.id, sameHost: false });
    const after = await topology.refresh();
    expect(after.requireNode(move.replicaId).masterId).toBe(needy.id);
    expect(after.replicasOf(donor.id).filter((r) => !r.failed)).toHaveLength(1);
    expect([spare.nodeId, ...state.replicasOf(donor.id).map((r) => r.id)]).toContain(move.replicaId);
    for (const master of after.slotOwners) {
      const working = after.replicasOf(master.id).filter((r) => !r.failed);
      expect(working.length).toBeGreaterThanOrEqual(1);
      expect(working.some((r) => ClusterState.hostOf(r) !== ClusterState.hostOf(master))).toBe(true);
    }
    expect((await controller.rehomeReplicas()).moved).toEqual([]);

    await topology.forgetEverywhere(doomed.id);
  });

  it('after a failover piles two masters onto one host, fails over again so that every host has one master', async () => {
    const state = await topology.refresh();
    const pile = state.replicas.find((r) => !r.failed && state.masters.some((m) => m.id !== r.masterId && ClusterState.hostOf(m) === ClusterState.hostOf(r)))!;
    await controller.failover(pile.id);
    const piled = await controller.planSpreadMasters();
    expect(Math.max(...Object.values(piled.before))).toBe(2);

    const planned: SpreadMastersPlan[] = [];
    controller.once('spread-planned', (plan) => planned.push(plan));
    const result = await controller.spreadMasters();

    expect(planned[0]?.steps).toHaveLength(1);
    expect(result.failovers).toHaveLength(1);
    expect(result.plan.balanced).toBe(true);
    const after = await topology.refresh();
    const perHost = HOSTS.map((host) => after.slotOwners.filter((m) => ClusterState.hostOf(m) === host).length);
    expect(perHost).toEqual([1, 1, 1]);
    for (const master of after.slotOwners) {
      for (const replica of after.replicasOf(master.id)) expect(ClusterState.hostOf(replica)).not.toBe(ClusterState.hostOf(master));
    }
    expect((await controller.planSpreadMasters()).steps).toEqual([]);
  });

  it('leaves a cluster that redis-cli --cluster check accepts, with every key present', async () => {
    expect((await redisCliCheck(local.seeds[0]!)).ok).toBe(true);
    expect(await clusterDigest(client)).toEqual(digest);
  });
});
