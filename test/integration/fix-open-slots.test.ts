import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ClusterTopology, KeyConflictError, LocalCluster, keySlot, type ClusterNode } from '../../src/index';
import type { Cluster } from 'ioredis';
import { clusterDigest, writeKeys } from '../helpers/dataset';
import { redisCliCheck } from '../helpers/redis-cli';

describe('ClusterTopology.fix closes whatever a crash left open, never losing a key', () => {
  let local: LocalCluster;
  let topology: ClusterTopology;
  let client: Cluster;
  const tag = '{fixme}';
  const slot = keySlot(tag);
  let owner: ClusterNode;
  let other: ClusterNode;

  beforeAll(async () => {
    ({ local, topology, client } = await startTestCluster({ masters: 3, replicasPerMaster: 0 }));
    await writeKeys(client, 2000);
  });
  afterAll(() => stopTestCluster({ local, topology, client }));
  beforeEach(async () => {
    for (let i = 0; i < 50; i++) await client.set(`${tag}:${i}`, `v${i}`);
    const state = await topology.refresh();
    owner = state.ownerOf(slot)!;
    other = state.masters.find((m) => m.id !== owner.id)!;
  });

  const healthy = async (before: { keys: number; sha256: string }): Promise<void> => {
    expect(await clusterDigest(client)).toEqual(before);
    const report = await topology.check();
    expect(report.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect((await redisCliCheck(local.seeds[0]!)).ok).toBe(true);
  };
  const src = () => topology.pool.get(owner.address);
  const dst = () => topology.pool.get(other.address);

  it('a slot MIGRATING on its owner only: cancelled, keys stay', async () => {
    const before = await clusterDigest(client);
    await src().setSlot(slot, 'MIGRATING', other.id);
    const report = await topology.fix();
    expect(report.openSlots).toEqual([expect.objectContaining({ slot, owner: owner.id, action: 'kept-owner' })]);
    await healthy(before);
  });

  it('a slot IMPORTING on another node only: cancelled', async () => {
    const before = await clusterDigest(client);
    await dst().setSlot(slot, 'IMPORTING', owner.id);
    const report = await topology.fix();
    expect(report.openSlots[0]).toMatchObject({ slot, owner: owner.id, action: 'kept-owner' });
    await healthy(before);
  });

  it('both ends open with keys on both sides: the move is finished to the importing node', async () => {
    const before = await clusterDigest(client);
    await dst().setSlot(slot, 'IMPORTING', owner.id);
    await src().setSlot(slot, 'MIGRATING', other.id);
    const half = await src().getKeysInSlot(slot, 25);
    await src().migrate({ host: other.host, port: other.port }, half, { timeoutMs: 5000 });
    const report = await topology.fix();
    expect(report.openSlots[0]).toMatchObject({ slot, owner: other.id, action: 'finished-migration' });
    expect((await topology.refresh()).ownerOf(slot)?.id).toBe(other.id);
    await healthy(before);
  });

  it('a move stopped between SETSLOT NODE on the target and on the source: both claim the slot, the target keeps it', async () => {
    const before = await clusterDigest(client);
    await dst().setSlot(slot, 'IMPORTING', owner.id);
    await src().setSlot(slot, 'MIGRATING', other.id);
    await src().migrate({ host: other.host, port: other.port }, await src().getKeysInSlot(slot, 1000), { timeoutMs: 5000 });
    await dst().setSlot(slot, 'NODE', other.id); // the target takes the slot with a new epoch; the crash comes before the source hears of it
    // Both claim it until gossip reaches the source: the greater epoch wins (the target's, which SETSLOT NODE
    // bumped, unless it already shared the greatest epoch: then the smaller id), as Redis settles it.
    const claimants = (await topology.refresh()).masters.filter((m) => m.slots.has(slot));
    const winner = claimants.sort((a, b) => b.configEpoch - a.configEpoch || (a.id < b.id ? -1 : 1))[0]!;
    const report = await topology.fix();
    expect(report.openSlots[0]).toMatchObject({ slot, owner: winner.id });
    expect(['owner-by-epoch', 'kept-owner']).toContain(report.openSlots[0]?.action);
    expect((await topology.refresh()).ownerOf(slot)?.id).toBe(winner.id);
    await healthy(before);
  });

  it('keys of the slot left on a node that does not own it: gathered at the owner, identical copies merged', async () => {
    const before = await clusterDigest(client);
    // Copy some keys to a non-owner (as a half-finished durable move leaves them) and leave the slot open there.
    await src().setSlot(slot, 'MIGRATING', other.id);
    await dst().setSlot(slot, 'IMPORTING', owner.id);
    const some = await src().getKeysInSlot(slot, 10);
    await src().migrate({ host: other.host, port: other.port }, some, { timeoutMs: 5000, copy: true });
    await src().setSlot(slot, 'STABLE');
    const report = await topology.fix();
    expect(report.openSlots[0]?.slot).toBe(slot);
    await healthy(before);
  });

  it('a key with different values on both sides: stops and names it; replace resolves it', async () => {
    const key = `${tag}:0`;
    await dst().setSlot(slot, 'IMPORTING', owner.id);
    await dst().call(['ASKING']);
    await dst().call(['SET', key, 'another value']);
    await src().setSlot(slot, 'MIGRATING', other.id);
    const error = await topology.fix().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyConflictError);
    expect((error as KeyConflictError).keys).toEqual([key]);
    expect(await client.get(key)).toBe('v0');

    await topology.fix({ onConflict: 'replace' });
    expect(await client.get(key)).toBe('v0');
    expect((await topology.check()).ok).toBe(true);
  });

  it('uncovered slots: given to the node holding their keys, empty ones spread over masters', async () => {
    const before = await clusterDigest(client);
    const state = await topology.refresh();
    const emptySlot = [...state.masters[0]!.slots].find((s) => s !== slot)!;
    const emptyOwner = state.ownerOf(emptySlot)!;
    expect(await topology.pool.get(emptyOwner.address).countKeysInSlot(emptySlot)).toBe(0);
    await src().delSlots(keySlotSet(slot));
    await topology.pool.get(emptyOwner.address).delSlots(keySlotSet(emptySlot));
    const broken = await topology.check();
    expect(broken.problems.map((p) => p.code)).toContain('uncovered-slots');

    const report = await topology.fix();
    expect(report.assigned).toContainEqual({ nodeId: owner.id, slots: String(slot), withKeys: true });
    expect(report.assigned.some((a) => !a.withKeys && a.slots.includes(String(emptySlot)))).toBe(true);
    await healthy(before);
  });
});

import { SlotSet } from '../../src/index';
import { startTestCluster, stopTestCluster } from '../helpers/test-cluster';
function keySlotSet(slot: number): SlotSet {
  return SlotSet.fromSlots([slot]);
}
