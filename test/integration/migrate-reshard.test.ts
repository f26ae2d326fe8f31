import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterTopology, InvalidArgumentError, KeyConflictError, LocalCluster, MemoryJournal, MigrationFailedError, SlotMigrator, UnknownNodeError, keySlot } from '../../src/index';
import type { Cluster } from 'ioredis';
import { clusterDigest, writeKeys } from '../helpers/dataset';
import { redisCliCheck } from '../helpers/redis-cli';
import { startTestCluster, stopTestCluster } from '../helpers/test-cluster';

describe('SlotMigrator on a real cluster', () => {
  let local: LocalCluster;
  let topology: ClusterTopology;
  let client: Cluster;
  let digest: { keys: number; sha256: string };

  beforeAll(async () => {
    ({ local, topology, client } = await startTestCluster({ masters: 3, replicasPerMaster: 1 }));
    await writeKeys(client, 6000, { valueBytes: 64 });
    await client.set('{big}value', 'x'.repeat(2 * 1024 * 1024));
    await client.set('{ttl}key', 'expiring', 'EX', 3600);
    digest = await clusterDigest(client);
  });
  afterAll(() => stopTestCluster({ local, topology, client }));

  const expectIntact = async (): Promise<void> => {
    expect(await clusterDigest(client)).toEqual(digest);
    expect((await topology.check()).problems.filter((p) => p.severity === 'error')).toEqual([]);
    const oracle = await redisCliCheck(local.seeds[0]!);
    expect(oracle.ok, oracle.output).toBe(true);
  };

  it('reshards a count of slots with their keys, emitting typed events, and loses nothing', async () => {
    const migrator = new SlotMigrator(topology, { keysPerBatch: 100 });
    const events: string[] = [];
    migrator.on('plan-ready', () => events.push('plan-ready'));
    migrator.on('slot-moved', () => events.push('slot-moved'));
    migrator.on('batch', () => events.push('batch'));
    migrator.on('end', (e) => events.push(`end:${e.status}`));
    const state = await topology.refresh();
    const [a, b] = state.masters as [(typeof state.masters)[number], (typeof state.masters)[number]];

    const result = await migrator.reshard({ from: a.id, to: b.id, slots: 700 });

    expect(result.movedSlots).toBe(700);
    expect(result.movedKeys).toBeGreaterThan(0);
    const after = await topology.refresh();
    expect(after.node(a.id)!.slots.size).toBe(a.slots.size - 700);
    expect(after.node(b.id)!.slots.size).toBe(b.slots.size + 700);
    expect(events).toContain('plan-ready');
    expect(events).toContain('batch');
    expect(events.at(-1)).toBe('end:done');
    await expectIntact();
  });

  it('moves explicit slots including a 2 MB value and a key with a TTL', async () => {
    const state = await topology.refresh();
    const slots = [keySlot('{big}value'), keySlot('{ttl}key')];
    const owner = state.ownerOf(slots[0]!)!;
    const target = state.masters.find((m) => m.id !== owner.id && m.id !== state.ownerOf(slots[1]!)!.id) ?? state.masters.find((m) => m.id !== owner.id)!;
    const migrator = new SlotMigrator(topology);
    await migrator.reshard({ from: 'all', to: target.id, slots: slots.filter((s) => state.ownerOf(s)!.id !== target.id) });
    expect((await topology.refresh()).ownerOf(slots[0]!)!.id).toBe(target.id);
    expect(await client.ttl('{ttl}key')).toBeGreaterThan(3000);
    await expectIntact();
  });

  it('with the budget off, asks the source for keys only (no MEMORY USAGE) and still moves a 2 MB value and a TTL intact', async () => {
    const state = await topology.refresh();
    const slots = [keySlot('{big}value'), keySlot('{ttl}key')];
    const from = state.ownerOf(slots[0]!)!;
    const to = state.masters.find((m) => m.id !== from.id)!;
    const sizeCalls = async (node = from.address): Promise<number> => {
      const stats = await topology.pool.get(node).info('commandstats');
      return Number(/calls=(\d+)/.exec(stats['cmdstat_memory|usage'] ?? stats['cmdstat_memory'] ?? '')?.[1] ?? 0);
    };
    const before = await sizeCalls();
    await new SlotMigrator(topology, { latencyBudgetMs: null }).reshard({ from: from.id, to: to.id, slots: [slots[0]!, ...(state.ownerOf(slots[1]!)!.id === from.id ? [slots[1]!] : [])] });
    expect(await sizeCalls()).toBe(before);
    // The budget's byte caps need the sizes: the default asks for them.
    const onTarget = await sizeCalls(to.address);
    await new SlotMigrator(topology).reshard({ from: to.id, to: from.id, slots: [slots[0]!] });
    expect(await sizeCalls(to.address)).toBeGreaterThan(onTarget);
    expect(await client.strlen('{big}value')).toBe(2 * 1024 * 1024);
    expect(await client.ttl('{ttl}key')).toBeGreaterThan(3000);
    await expectIntact();
  });

  it('refuses bad input before sending anything', async () => {
    const migrator = new SlotMigrator(topology);
    const state = await topology.refresh();
    await expect(migrator.reshard({ from: 'f'.repeat(40), to: state.masters[0]!.id, slots: 1 })).rejects.toBeInstanceOf(UnknownNodeError);
    await expect(migrator.reshard({ from: state.masters[0]!.id, to: state.replicas[0]!.id, slots: 1 })).rejects.toThrow(/replica/);
    expect(() => new SlotMigrator(topology, { keysPerBatch: 0 })).toThrow(InvalidArgumentError);
    expect((await topology.refresh()).openSlots()).toEqual([]);
  });

  it('stops on a key that already exists on the target with another value, naming it, and loses nothing; replace overwrites', async () => {
    const state = await topology.refresh();
    const key = 'conflict:{c1}';
    const slot = keySlot(key);
    const owner = state.ownerOf(slot)!;
    const target = state.masters.find((m) => m.id !== owner.id)!;
    await client.set(key, 'source-value');
    // Plant a different value for the same key on the target, as a leftover of an old import would be.
    const targetClient = topology.pool.get(target.address);
    await targetClient.setSlot(slot, 'IMPORTING', owner.id);
    await targetClient.call(['ASKING']);
    await targetClient.call(['SET', key, 'target-value']);
    await targetClient.setSlot(slot, 'STABLE'); // the migrator never takes over a mark it did not set

    // One journal for both runs: it tells the second that the marks the first left open are this plan's.
    const journal = new MemoryJournal();
    const failing = new SlotMigrator(topology, { journal });
    const error = await failing.reshard({ from: owner.id, to: target.id, slots: [slot] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationFailedError);
    expect((error as MigrationFailedError).cause).toBeInstanceOf(KeyConflictError);
    expect(((error as MigrationFailedError).cause as KeyConflictError).keys).toEqual([key]);
    expect((error as MigrationFailedError).openSlots).toContain(slot);
    expect(await client.get(key)).toBe('source-value');

    await new SlotMigrator(topology, { journal, onConflict: 'replace' }).reshard({ from: owner.id, to: target.id, slots: [slot] });
    expect(await client.get(key)).toBe('source-value');
    await client.del(key);
    await expectIntact();
  });

  it('rebalances onto a master added a moment ago, then drains it and removes it', async () => {
    const node = await local.startNode();
    const added = await topology.addNode(node, { as: 'master' });
    const migrator = new SlotMigrator(topology);
    const rebalanced = await migrator.rebalance({ useEmptyMasters: true });
    expect(rebalanced.movedSlots).toBeGreaterThan(3000);
    const state = await topology.refresh();
    expect(state.node(added.nodeId)!.slots.size).toBeGreaterThan(3000);
    await expectIntact();

    await migrator.drain(added.nodeId);
    expect((await topology.refresh()).node(added.nodeId)!.slots.size).toBe(0);
    await topology.removeNode(added.nodeId);
    expect((await topology.refresh()).node(added.nodeId)).toBeUndefined();
    await expectIntact();
  });
});
