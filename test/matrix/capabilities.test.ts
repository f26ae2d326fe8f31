import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from 'ioredis';
import {
  ClusterTopology,
  LocalCluster,
  NodePool,
  SlotMigrator,
  SlotSet,
  UnsupportedByServerError,
  compareVersions,
  keySlot,
} from '../../src/index';
import { pollUntil } from '../../src/util/poll';
import { clusterDigest, writeKeys } from '../helpers/dataset';
import { startTestCluster, stopTestCluster, testServerInfo } from '../helpers/test-cluster';

const server = testServerInfo();
const atLeast = (version: string): boolean => compareVersions(server.redisCompatibleVersion, version) >= 0;

describe(`capabilities of ${server.kind} ${server.version}: the right command for each version, typed refusals otherwise`, () => {
  let local: LocalCluster;
  let topology: ClusterTopology;
  let client: Cluster;

  beforeAll(async () => {
    ({ local, topology, client } = await startTestCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 2000, password: 'matrix-pass' }, { convergenceTimeoutMs: 30_000 }));
    await writeKeys(client, 300, { prefix: 'cap' });
  });
  afterAll(() => stopTestCluster({ local, topology, client }));

  it('ClusterTopology reports every node as this server kind and version (from INFO server)', async () => {
    const state = await topology.refresh();
    expect(state.nodes).toHaveLength(6);
    for (const node of state.nodes) expect(node.server).toEqual({ kind: server.kind, version: server.version, redisCompatibleVersion: server.redisCompatibleVersion });
    const capabilities = await topology.pool.get(local.seeds[0]!).capabilities();
    expect(capabilities).toMatchObject({ kind: server.kind, version: server.version, slotRanges: atLeast('7.0'), aclUsers: atLeast('6.0'), clusterShards: atLeast('7.0') });
  });

  it('asks a node for its capabilities once per connection, again after a reconnect', async () => {
    const pool = new NodePool({ password: 'matrix-pass' });
    const observer = new NodePool({ password: 'matrix-pass' });
    // Counted by the server itself: the probe is the client's own read and runs no command hooks.
    const infoCalls = async (): Promise<number> => Number(/calls=(\d+)/.exec((await observer.get(local.seeds[0]!).info('commandstats'))['cmdstat_info'] ?? '')?.[1] ?? 0);
    try {
      const node = pool.get(local.seeds[0]!);
      const before = await infoCalls();
      await node.capabilities();
      await node.capabilities();
      await node.clusterNodes();
      const once = await infoCalls();
      expect(once - before).toBe(2); // the probe, and the observer's own first read
      await node.close();
      await node.capabilities();
      expect((await infoCalls()) - once).toBe(2);
    } finally {
      await pool.close();
      await observer.close();
    }
  });

  it(`CLUSTER SHARDS ${atLeast('7.0') ? 'answers' : 'is refused before anything is sent, naming the version and CLUSTER NODES'}`, async () => {
    const node = topology.pool.get(local.seeds[0]!);
    await node.capabilities();
    const sent: unknown[][] = [];
    const remove = topology.pool.commandHooks.add((_, commands) => void sent.push(...commands.map((c) => [...c])));
    try {
      if (atLeast('7.0')) {
        expect((await node.clusterShards()).length).toBe(3);
      } else {
        const error = await node.clusterShards().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(UnsupportedByServerError);
        expect((error as Error).message).toContain(`${server.kind === 'valkey' ? 'Valkey' : 'Redis'} ${server.version}`);
        expect((error as Error).message).toMatch(/CLUSTER NODES/);
        expect(sent).toEqual([]);
      }
    } finally {
      remove();
    }
  });

  it('CLUSTER REPLICAS lists the replicas of each master', async () => {
    const state = await topology.refresh();
    for (const master of state.masters) {
      const replicas = await topology.pool.get(master.address).clusterReplicas(master.id);
      expect(replicas.map((r) => r.id)).toEqual(state.replicasOf(master.id).map((r) => r.id));
    }
  });

  it(`slot assignment uses ${atLeast('7.0') ? 'CLUSTER ADDSLOTSRANGE' : 'CLUSTER ADDSLOTS (no ADDSLOTSRANGE before 7.0)'}`, async () => {
    const standalone = await local.startNode();
    const pool = new NodePool({ password: 'matrix-pass' });
    const sent: string[] = [];
    pool.commandHooks.add((_, commands) => {
      for (const command of commands) sent.push(command.slice(0, 2).map(String).join(' '));
    });
    try {
      const node = pool.get(standalone);
      await node.addSlots(SlotSet.parse('0-99,200'));
      expect((await node.clusterInfo())['cluster_slots_assigned']).toBe('101');
      await node.delSlots(SlotSet.parse('0-9'));
      expect((await node.clusterInfo())['cluster_slots_assigned']).toBe('91');
      expect(sent).toContain(atLeast('7.0') ? 'CLUSTER ADDSLOTSRANGE' : 'CLUSTER ADDSLOTS');
      expect(sent).toContain(atLeast('7.0') ? 'CLUSTER DELSLOTSRANGE' : 'CLUSTER DELSLOTS');
    } finally {
      await pool.close();
    }
  });

  it(atLeast('6.0') ? 'an ACL user moves keys: MIGRATE authenticates with AUTH2' : 'a username is refused with a typed error naming Redis 6.0 (no ACL users before)', async () => {
    const seed = local.seeds[0]!;
    if (!atLeast('6.0')) {
      const pool = new NodePool({ username: 'operator', password: 'matrix-pass' });
      const error = await pool.get(seed).clusterNodes().catch((e: unknown) => e);
      await pool.close();
      expect(error).toBeInstanceOf(UnsupportedByServerError);
      expect((error as Error).message).toMatch(/no ACL users.*6\.0/);
      return;
    }
    const state = await topology.refresh();
    await Promise.all(state.nodes.map((node) => topology.pool.get(node.address).call(['ACL', 'SETUSER', 'operator', 'on', '>operator-pass', '~*', '+@all'])));
    const asUser = new ClusterTopology({ seeds: [seed], username: 'operator', password: 'operator-pass' });
    const sent: string[] = [];
    asUser.pool.commandHooks.add((_, commands) => {
      for (const command of commands) if (command[0] === 'MIGRATE') sent.push(command.map(String).join(' '));
    });
    try {
      const before = await clusterDigest(client);
      const slot = keySlot('cap:1');
      const owner = state.ownerOf(slot)!;
      const to = state.masters.find((m) => m.id !== owner.id)!;
      const result = await new SlotMigrator(asUser).reshard({ from: owner.id, to: to.id, slots: [slot] });
      expect(result.movedKeys).toBeGreaterThan(0);
      expect(sent.length).toBeGreaterThan(0);
      expect(sent.every((c) => c.includes(' AUTH2 operator '))).toBe(true);
      expect(await clusterDigest(client)).toEqual(before);
    } finally {
      await asUser.close();
    }
  });

  it(`open slots: ${server.kind === 'valkey' ? "replicas mirror their master's marks (Valkey replicates SETSLOT), which" : 'marks'} are not counted as open slots of replicas, and fix() closes them everywhere`, async () => {
    const state = await topology.refresh();
    const slot = keySlot('cap:2');
    const owner = state.ownerOf(slot)!;
    const target = state.masters.find((m) => m.id !== owner.id)!;
    await topology.pool.get(target.address).setSlot(slot, 'IMPORTING', owner.id);
    await topology.pool.get(owner.address).setSlot(slot, 'MIGRATING', target.id);
    const replicaOfTarget = state.replicasOf(target.id)[0]!;
    const replicaView = await topology.pool.get(replicaOfTarget.address).clusterNodes();
    const mirrored = replicaView.find((n) => n.myself)!.importing.some((mark) => mark.slot === slot);
    expect(mirrored).toBe(server.kind === 'valkey');
    const open = (await topology.refresh()).openSlots().filter((mark) => mark.slot === slot);
    expect(open.map((mark) => mark.nodeId).sort()).toEqual([owner.id, target.id].sort());
    await topology.fix();
    await pollUntil(async () => {
      const views = await Promise.all((await topology.refresh()).nodes.map((node) => topology.pool.get(node.address).clusterNodes()));
      return { done: views.every((view) => view.every((n) => !n.myself || (n.importing.length === 0 && n.migrating.length === 0))) };
    }, { timeoutMs: 20_000, operation: 'no node, replicas included, keeps a mark' });
    expect((await topology.check()).ok).toBe(true);
  });
});
