import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from 'ioredis';
import { ClusterTopology, DeadNodeAddressTakenError, FailoverController, LocalCluster, diagnose } from '../../src/index';
import { pollUntil } from '../../src/util/poll';
import { writeKeys } from '../helpers/dataset';
import { startTestCluster, stopTestCluster } from '../helpers/test-cluster';

describe('a dead master whose address comes back as an empty server before replaceNode()', () => {
  let local: LocalCluster;
  let topology: ClusterTopology;
  let client: Cluster;

  beforeAll(async () => {
    // A long node timeout: the empty server is up long before the cluster could flag the master fail.
    ({ local, topology, client } = await startTestCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 15_000 }, { convergenceTimeoutMs: 20_000 }));
    await writeKeys(client, 600, { prefix: 'noaddr' });
  });
  afterAll(() => stopTestCluster({ local, topology, client }));

  it('Redis marks the dead id noaddr and the replica resyncs empty; replaceNode refuses at once, check() and the doctor report it', async () => {
    const state = await topology.refresh();
    const master = state.slotOwners[0]!;
    const replica = state.replicasOf(master.id)[0]!;
    const keysBefore = await topology.pool.get(replica.address).dbsize();
    expect(keysBefore).toBeGreaterThan(0);

    // The master's host "reboots" with a fresh, empty redis-server on the same address.
    const dead = await local.killNode(master.address);
    rmSync(join(dead.dir, `nodes-${dead.port}.conf`), { force: true });
    await local.restartNode(master.address);

    // What Redis does, before any call of ours: the dead id loses its address, the replica resyncs from the empty server.
    const observed = await pollUntil(
      async () => {
        const now = await topology.refresh();
        const noaddr = now.views.some((view) => view.nodes.some((line) => line.id === master.id && line.flags.includes('noaddr')));
        const keys = await topology.pool.get(replica.address).dbsize();
        return { done: noaddr && keys === 0, noaddr, keys };
      },
      { timeoutMs: 30_000, operation: 'observe' },
    );
    expect(observed).toMatchObject({ noaddr: true, keys: 0 });

    const controller = new FailoverController(topology, { promotionTimeoutMs: 20_000 });
    const spare = await local.startNode();
    const started = Date.now();
    const error = await controller.replaceNode(master.id, spare).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadNodeAddressTakenError);
    expect(Date.now() - started).toBeLessThan(15_000);
    const taken = error as DeadNodeAddressTakenError;
    expect(taken.details).toMatchObject({ nodeId: master.id, address: master.address, occupantId: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect(taken.details['occupantId']).not.toBe(master.id);
    expect(taken.details['replicas']).toEqual([{ id: replica.id, address: replica.address, keys: 0, linkStatus: 'up', resyncedFromOccupant: true }]);
    // The advice cannot make things worse: never a failover to the replica that now holds nothing.
    expect(taken.message).not.toMatch(/mode: 'force'|takeover/);
    expect(taken.message).toContain(`Do not fail over to ${replica.address}`);
    expect(taken.message).toContain(`Stop the server at ${master.address}`);
    // Nothing was sent: the spare did not join.
    expect((await topology.refresh()).node(`${spare.host}:${spare.port}`)).toBeUndefined();

    const report = await topology.check();
    expect(report.problems).toContainEqual(expect.objectContaining({ code: 'node-noaddr', severity: 'error', nodeId: master.id }));
    const findings = await diagnose(topology);
    expect(findings).toContainEqual(expect.objectContaining({ code: 'node-noaddr', severity: 'error', nodeId: master.id }));
  });
});
