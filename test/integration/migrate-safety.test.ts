import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ForeignSlotMarkError,
  MigrationAbortedError,
  MigrationFailedError,
  SlotMigrator,
  type ClusterTopology,
  type LocalCluster,
} from '../../src/index';
import { clusterDigest } from '../helpers/dataset';
import { fillSlots } from '../helpers/slot-keys';
import { startTestCluster, stopTestCluster } from '../helpers/test-cluster';

/** Slots some node has MIGRATING or IMPORTING, counted once each. */
async function openCount(topology: ClusterTopology): Promise<number> {
  return new Set((await topology.refresh()).openSlots().map((mark) => mark.slot)).size;
}

describe('SlotMigrator safety: bounded open slots, abort, marks it did not set', () => {
  let local: LocalCluster;
  let topology: ClusterTopology;
  let client: Cluster;
  let slots: number[];
  let from: string;
  let to: string;
  let digest: { keys: number; sha256: string };

  beforeAll(async () => {
    ({ local, topology, client } = await startTestCluster({ masters: 3, replicasPerMaster: 0 }));
    const state = await topology.refresh();
    const [a, b] = state.masters;
    from = a!.id;
    to = b!.id;
    ({ slots } = await fillSlots(client, a!.slots, { count: 40, perSlot: 30, prefix: 's' }));
    digest = await clusterDigest(client);
  });
  afterAll(() => stopTestCluster({ local, topology, client }));

  it('an abort finishes the open slots before rejecting (default): nothing left open, nothing lost, the plan resumes', async () => {
    const migrator = new SlotMigrator(topology, { maxOpenSlots: 4, keysPerBatch: 5 });
    const plan = await migrator.planReshard({ from, to, slots });
    const controller = new AbortController();
    let batches = 0;
    let maxOpen = 0;
    migrator.on('batch', () => {
      if (++batches === 12) controller.abort();
    });
    const sampling = setInterval(() => void openCount(topology).then((n) => (maxOpen = Math.max(maxOpen, n))).catch(() => undefined), 10);
    const error = await migrator.execute(plan, { signal: controller.signal }).catch((e: unknown) => e);
    clearInterval(sampling);
    expect(error).toBeInstanceOf(MigrationAbortedError);
    expect((error as MigrationAbortedError).code).toBe('ERR_ABORTED');
    expect(error).toBeInstanceOf(MigrationFailedError);
    expect((error as MigrationAbortedError).openSlots).toEqual([]);
    expect((error as MigrationAbortedError).doneSlots).toBeGreaterThan(0);
    expect((error as MigrationAbortedError).doneSlots).toBeLessThan(slots.length);
    expect(await openCount(topology)).toBe(0);
    expect(maxOpen).toBeLessThanOrEqual(4);
    expect(await clusterDigest(client)).toEqual(digest);

    const resumed = await migrator.execute(plan);
    expect(resumed.skippedSlots).toBe((error as MigrationAbortedError).doneSlots);
    expect(resumed.skippedSlots + resumed.movedSlots).toBe(slots.length);
    expect((await topology.refresh()).ownerOf(slots[slots.length - 1]!)!.id).toBe(to);
    expect(await clusterDigest(client)).toEqual(digest);
    [from, to] = [to, from];
  });

  it("onAbort 'leave-open' stops after the MIGRATE in flight, leaving at most maxOpenSlots open, listed in the error", async () => {
    const migrator = new SlotMigrator(topology, { maxOpenSlots: 3, keysPerBatch: 5, onAbort: 'leave-open' });
    const plan = await migrator.planReshard({ from, to, slots });
    const controller = new AbortController();
    let batches = 0;
    migrator.on('batch', () => {
      if (++batches === 8) controller.abort();
    });
    const error = await migrator.execute(plan, { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationAbortedError);
    const open = (error as MigrationAbortedError).openSlots;
    expect(open.length).toBeGreaterThan(0);
    expect(open.length).toBeLessThanOrEqual(3);
    expect([...new Set((await topology.refresh()).openSlots().map((m) => m.slot))].sort((a, b) => a - b)).toEqual([...open]);

    // The same migrator (its journal knows those marks as this plan's) finishes the plan.
    const resumed = await migrator.execute(plan);
    expect(resumed.skippedSlots + resumed.movedSlots).toBe(slots.length);
    expect(await openCount(topology)).toBe(0);
    expect(await clusterDigest(client)).toEqual(digest);
    [from, to] = [to, from];
  });

  it('never overwrites a MIGRATING/IMPORTING mark it did not set: refuses before sending anything', async () => {
    const marked = slots[5]!;
    const target = topology.pool.get((await topology.refresh()).node(to)!.address);
    await target.setSlot(marked, 'IMPORTING', from); // another operator's mark
    const sent: string[] = [];
    const remove = topology.pool.commandHooks.add((_node, commands) => {
      for (const command of commands) sent.push(command.slice(0, 3).map(String).join(' '));
    });
    try {
      const migrator = new SlotMigrator(topology);
      const error = await migrator.reshard({ from, to, slots }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ForeignSlotMarkError);
      expect((error as ForeignSlotMarkError).code).toBe('ERR_FOREIGN_SLOT_MARK');
      expect((error as ForeignSlotMarkError).marks).toEqual([expect.objectContaining({ slot: marked, state: 'importing', peerId: from })]);
      expect((error as Error).message).toContain('fix()');
      expect(sent.filter((command) => /^(CLUSTER SETSLOT|MIGRATE|CLUSTER ADDSLOTS|CLUSTER DELSLOTS)/i.test(command))).toEqual([]);
    } finally {
      remove();
      await target.setSlot(marked, 'STABLE');
    }
    expect((await topology.refresh()).ownerOf(marked)!.id).toBe(from);
  });

  it('stops at a mark that appears mid-run, naming it, and leaves that slot untouched', async () => {
    const migrator = new SlotMigrator(topology, { maxOpenSlots: 4 });
    const plan = await migrator.planReshard({ from, to, slots });
    const state = await topology.refresh();
    const third = state.masters.find((m) => m.id !== from && m.id !== to)!;
    const late = slots[slots.length - 1]!;
    const source = topology.pool.get(state.node(from)!.address);
    let planted = false;
    const touched: unknown[][] = [];
    const remove = topology.pool.commandHooks.add((_node, commands) => {
      for (const command of commands) if (planted && command.some((arg) => String(arg) === String(late))) touched.push([...command]);
    });
    migrator.once('slot-moved', () => {
      planted = true;
      void source.setSlot(late, 'MIGRATING', third.id);
    });
    try {
      const error = await migrator.execute(plan).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationFailedError);
      expect((error as MigrationFailedError).cause).toBeInstanceOf(ForeignSlotMarkError);
      expect((error as MigrationFailedError).advice).toBe('fix');
      expect(touched.filter((command) => String(command[0]).toUpperCase() !== 'CLUSTER' || String(command[1]).toUpperCase() !== 'NODES')).toEqual([
        ['CLUSTER', 'SETSLOT', late, 'MIGRATING', third.id],
      ]);
    } finally {
      remove();
      await source.setSlot(late, 'STABLE');
    }
    // Finish what this plan opened (its journal knows its marks), then move everything back.
    await migrator.execute(plan);
    expect(await openCount(topology)).toBe(0);
    expect(await clusterDigest(client)).toEqual(digest);
  });
});
