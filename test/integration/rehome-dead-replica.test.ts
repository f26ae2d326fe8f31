import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterState, ClusterTopology, FailoverController, LocalCluster } from '../../src/index';
import { startTestCluster, stopTestCluster } from '../helpers/test-cluster';

const HOSTS = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];

describe('rehomeReplicas right after a replica dies', () => {
  let local: LocalCluster;
  let topology: ClusterTopology;

  beforeAll(async () => {
    // A long node timeout: the cluster flags the dead replica fail only after 15 s or more, and the
    // whole test runs before that (Redis's own replica migration waits for that flag too).
    ({ local, topology } = await startTestCluster({ host: HOSTS, nodeTimeoutMs: 15_000 }, { convergenceTimeoutMs: 20_000 }));
  });
  afterAll(() => stopTestCluster({ local, topology }));

  it('counts a replica that does not answer as gone at once and gives its master a spare, without waiting for the fail flag', async () => {
    const controller = new FailoverController(topology);
    const state = await topology.refresh();
    const [donor, needy] = state.slotOwners as [ClusterState['nodes'][number], ClusterState['nodes'][number]];
    const spareHost = HOSTS.find((host) => host !== ClusterState.hostOf(donor) && host !== ClusterState.hostOf(needy))!;
    const spare = await topology.addNode(await local.startNode({ host: spareHost }), { as: 'replica', of: donor.id });
    const doomed = (await topology.refresh()).replicasOf(needy.id)[0]!;

    await local.killNode(doomed.address);
    const result = await controller.rehomeReplicas();

    expect(result.plan.gone).toEqual([{ replicaId: doomed.id, address: doomed.address, masterId: needy.id, reason: 'unreachable' }]);
    expect(result.moved).toHaveLength(1);
    expect(result.moved[0]).toMatchObject({ fromMasterId: donor.id, toMasterId: needy.id, sameHost: false });
    expect([spare.nodeId, ...state.replicasOf(donor.id).map((r) => r.id)]).toContain(result.moved[0]!.replicaId);
    const after = await topology.refresh();
    // All of it happened before the cluster flagged the dead replica fail.
    expect(after.requireNode(doomed.id).failed).toBe(false);
    expect(after.requireNode(result.moved[0]!.replicaId).masterId).toBe(needy.id);
    const syncing = await topology.pool.get(after.requireNode(result.moved[0]!.replicaId).address).info('replication');
    expect(syncing['master_port']).toBe(String(needy.port));
  });
});
