import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MigrationFailedError, NodeClient, NodeUnresponsiveError, SlotMigrator, type ClusterTopology, type LocalCluster } from '../../src/index';
import { fillSlots } from '../helpers/slot-keys';
import { startTestCluster, stopTestCluster } from '../helpers/test-cluster';

const CEILING_MS = 1500;
/** Room for a loaded 2-core machine on top of the ceiling: still far below what queued MIGRATEs to a frozen target cost. */
const MARGIN_MS = 2500;

describe('a target frozen (SIGSTOP) mid-move does not freeze its source', () => {
  let local: LocalCluster;
  let topology: ClusterTopology;
  let client: Cluster;

  beforeAll(async () => {
    ({ local, topology, client } = await startTestCluster({ masters: 3, replicasPerMaster: 0, nodeTimeoutMs: 15_000 }));
  });
  afterAll(async () => {
    for (const node of local?.nodes ?? []) await local.thawNode(node.address).catch(() => undefined);
    await stopTestCluster({ local, topology, client });
  });

  it('stops with NodeUnresponsiveError naming the target, while the source keeps answering clients', async () => {
    const state = await topology.refresh();
    const [source, target] = state.masters as [(typeof state.masters)[number], (typeof state.masters)[number]];
    // 24 slots of the source with 40 keys each: many small MIGRATEs, several slots open at once.
    const { slots, tags } = await fillSlots(client, source.slots, { count: 24, perSlot: 40, prefix: 'f', value: 'x'.repeat(64) });
    const migrator = new SlotMigrator(topology, { keysPerBatch: 4, maxOpenSlots: 8, migrateTimeoutMs: 500, maxMigrateTimeoutMs: CEILING_MS, probeTimeoutMs: 500 });
    let batches = 0;
    let frozenAt = 0;
    migrator.on('batch', () => {
      if (++batches === 10) {
        frozenAt = Date.now();
        void local.freezeNode(target.address);
      }
    });

    // A client of the source on its own connection: PING every 20 ms, each wait measured.
    const prober = new NodeClient({ host: source.host, port: source.port }, topology.pool.options);
    let probing = true;
    let longestWait = 0;
    let answered = 0;
    const probing$ = (async () => {
      while (probing) {
        const sent = performance.now();
        await prober.call(['PING'], { timeoutMs: 30_000 });
        longestWait = Math.max(longestWait, performance.now() - sent);
        answered++;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    try {
      const error = await migrator.reshard({ from: source.id, to: target.id, slots }).catch((e: unknown) => e);
      const stoppedAfter = Date.now() - frozenAt;
      expect(frozenAt).toBeGreaterThan(0);
      expect(error).toBeInstanceOf(MigrationFailedError);
      const cause = (error as MigrationFailedError).cause;
      expect(cause).toBeInstanceOf(NodeUnresponsiveError);
      expect((cause as NodeUnresponsiveError).address).toBe(target.address);
      expect((cause as NodeUnresponsiveError).role).toBe('target');
      expect((error as Error).message).toContain(target.address);
      expect((error as MigrationFailedError).advice).not.toBe('resume');
      // Open slots stay within the bound even when the move stops on a dead peer.
      expect((error as MigrationFailedError).openSlots.length).toBeLessThanOrEqual(8);
      // It stops rather than waiting on the frozen target (a generous bound: a loaded 2-core machine took 25 s).
      expect(stoppedAfter).toBeLessThan(50_000);
      // Let the prober see the source after the stop too.
      const seen = answered;
      const deadline = Date.now() + 10_000;
      while (answered < seen + 5 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      probing = false;
      await probing$.catch(() => undefined);
      await prober.close();
      await local.thawNode(target.address);
    }
    expect(answered).toBeGreaterThan(5);
    expect(longestWait).toBeLessThan(CEILING_MS + MARGIN_MS);

    // Frozen past cluster-node-timeout (a slow stop on a loaded machine), the target is flagged FAIL, and fix()
    // leaves a failed node's marks alone: wait until the cluster clears the flag (2 x node timeout after it was set).
    await expect.poll(async () => (await topology.refresh()).node(target.id)?.failed, { timeout: 90_000, interval: 500 }).toBe(false);
    // Once the target answers again, fix() settles the open slots and every key is somewhere readable.
    await topology.fix();
    expect((await topology.refresh()).openSlots()).toEqual([]);
    for (const tag of tags.values()) expect(await client.exists(...Array.from({ length: 40 }, (_, k) => `{${tag}}:${k}`))).toBe(40);
  }, 240_000);
});
