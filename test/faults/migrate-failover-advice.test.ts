import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MigrationFailedError, NodeClient, PlanError, SlotMigrator, type ClusterTopology, type LocalCluster } from '../../src/index';
import { fillSlots } from '../helpers/slot-keys';
import { startTestCluster, stopTestCluster } from '../helpers/test-cluster';

describe('a failover mid-migration: the error says fix(), then a new plan', () => {
  let local: LocalCluster;
  let topology: ClusterTopology;
  let client: Cluster;

  beforeAll(async () => {
    ({ local, topology, client } = await startTestCluster({ masters: 3, replicasPerMaster: 1 }));
  });
  afterAll(() => stopTestCluster({ local, topology, client }));

  it('names the failover and the next steps, and execute(plan) refuses the plan with the same advice', async () => {
    const state = await topology.refresh();
    const [source, target] = state.masters as [(typeof state.masters)[number], (typeof state.masters)[number]];
    const { slots } = await fillSlots(client, source.slots, { count: 30, perSlot: 40, prefix: 'p', value: 'y'.repeat(32) });
    const replica = state.replicasOf(target.id)[0]!;
    const migrator = new SlotMigrator(topology, { keysPerBatch: 4, maxOpenSlots: 2 });
    const plan = await migrator.planReshard({ from: source.id, to: target.id, slots });
    // Before the 7th MIGRATE, the target's replica takes over (the target turns into a replica while slots
    // move into it); the MIGRATE waits until the target itself says it is a replica.
    const direct = (address: string): NodeClient => new NodeClient({ host: address.split(':')[0]!, port: Number(address.split(':')[1]) }, topology.pool.options);
    let migrates = 0;
    let takeover: Promise<void> | undefined;
    const remove = topology.pool.commandHooks.add(async (_node, commands) => {
      if (String(commands[0]?.[0]).toUpperCase() !== 'MIGRATE' || ++migrates !== 7) return;
      takeover ??= (async () => {
        const [promoted, demoted] = [direct(replica.address), direct(target.address)];
        await promoted.failover('takeover');
        const deadline = Date.now() + 20_000;
        while (!String(((await demoted.call(['ROLE'])) as unknown[])[0]).startsWith('slave') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        await Promise.all([promoted.close(), demoted.close()]);
      })();
      await takeover;
    });
    const error = await migrator.execute(plan).catch((e: unknown) => e);
    remove();
    expect(error).toBeInstanceOf(MigrationFailedError);
    expect((error as MigrationFailedError).advice).toBe('fix-then-new-plan');
    expect((error as Error).message).toContain('fix()');
    expect((error as Error).message).toContain('new plan');
    expect((error as Error).message).not.toContain('Resume with execute(plan)');

    const refused = await migrator.execute(plan).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PlanError);
    expect((refused as PlanError).details).toMatchObject({ advice: 'fix-then-new-plan', nodeId: target.id, role: 'replica' });
    expect((refused as Error).message).toContain('failover');
  });
});
