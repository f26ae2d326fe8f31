import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from 'ioredis';
import {
  ClusterTopology,
  FailoverController,
  InvalidArgumentError,
  LocalCluster,
  NodePool,
  SlotMigrator,
  TlsRequiredError,
  inspectServerBinary,
  keySlot,
  replicaReadCluster,
} from '../../src/index';
import { pollUntil } from '../../src/util/poll';
import { clusterDigest, writeKeys } from '../helpers/dataset';
import { redisCliCheck } from '../helpers/redis-cli';
import { startTestCluster, stopTestCluster, TEST_SERVER } from '../helpers/test-cluster';

// TLS needs a server built with it: the server under test when it has TLS, else Debian's redis-server.
const server = TEST_SERVER !== undefined && inspectServerBinary(TEST_SERVER).tlsBuilt ? TEST_SERVER : 'redis-server';

describe(`a TLS-only LocalCluster (${inspectServerBinary(server).capabilities.kind} ${inspectServerBinary(server).capabilities.version})`, () => {
  let local: LocalCluster;
  let topology: ClusterTopology;
  let client: Cluster;
  let digest: { keys: number; sha256: string };

  beforeAll(async () => {
    ({ local, topology, client } = await startTestCluster({ masters: 3, replicasPerMaster: 1, tls: true, nodeTimeoutMs: 2000, redisServer: server }, { convergenceTimeoutMs: 20_000 }));
    await writeKeys(client, 600, { prefix: 'tls' });
    await client.set('{tls}ttl', 'expiring', 'EX', 3600);
    digest = await clusterDigest(client);
  });
  afterAll(() => stopTestCluster({ local, topology, client }));

  it('listens on TLS only, with TLS on the cluster bus and for replication, and redis-cli --tls accepts the cluster', async () => {
    const node = topology.pool.get(local.seeds[0]!);
    const config = await node.configGet('*');
    expect(config).toMatchObject({ port: '0', 'tls-port': String(local.seeds[0]!.port), 'tls-cluster': 'yes', 'tls-replication': 'yes' });
    expect((await topology.check()).ok).toBe(true);
    const oracle = await redisCliCheck(local.seeds[0]!, undefined, local.tls);
    expect(oracle.ok, oracle.output).toBe(true);
  });

  it('a plaintext client on a TLS port gets TlsRequiredError, which says to pass tls', async () => {
    const plain = new NodePool({ connectTimeoutMs: 2000, commandTimeoutMs: 3000 });
    try {
      const error = await plain.get(local.seeds[0]!).clusterNodes().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TlsRequiredError);
      expect((error as TlsRequiredError).message).toMatch(/speaks TLS.*Pass tls:/);
      // Through ClusterTopology too: discovery names TLS, not protected mode.
      const plainTopology = new ClusterTopology({ seeds: local.seeds.slice(0, 1) });
      await expect(plainTopology.refresh()).rejects.toThrow(/TLS/);
      await plainTopology.close();
    } finally {
      await plain.close();
    }
  });

  it('reshards slots with keys over TLS (MIGRATE between nodes on TLS), keeping every key, value and TTL', async () => {
    const state = await topology.refresh();
    const ttlSlot = keySlot('{tls}ttl');
    const from = state.ownerOf(ttlSlot)!;
    const to = state.masters.find((m) => m.id !== from.id)!;
    const slots = [ttlSlot, ...[...from.slots].filter((slot) => slot !== ttlSlot).slice(0, 199)];
    const result = await new SlotMigrator(topology).reshard({ from: from.id, to: to.id, slots });
    expect((await topology.refresh()).ownerOf(ttlSlot)!.id).toBe(to.id);
    expect(result.movedKeys).toBeGreaterThan(0);
    expect(await clusterDigest(client)).toEqual(digest);
    expect(await client.ttl('{tls}ttl')).toBeGreaterThan(3000);
  });

  it('fails a master over (default mode) over TLS', async () => {
    const state = await topology.refresh();
    const master = state.slotOwners[0]!;
    const replica = state.replicasOf(master.id)[0]!;
    const result = await new FailoverController(topology).failover(replica.id, { mode: 'default' });
    expect(result).toMatchObject({ newMasterId: replica.id, oldMasterId: master.id });
    const after = await topology.refresh();
    expect(after.requireNode(replica.id).role).toBe('master');
    expect(await clusterDigest(client)).toEqual(digest);
  });

  it('replica reads over TLS are served by replicas (counted on each node)', async () => {
    const state = await topology.refresh();
    await pollUntil(async () => {
      const replies = await Promise.all(state.nodes.map((node) => topology.pool.get(node.address).call(['CLUSTER', 'SLOTS']) as Promise<unknown[][]>));
      return { done: replies.every((ranges) => ranges.every((range) => range.length >= 4)) };
    }, { timeoutMs: 20_000, operation: 'every slot range served by a replica' });
    const getCalls = async (nodes: typeof state.replicas): Promise<number> => {
      const stats = await Promise.all(nodes.map((node) => topology.pool.get(node.address).info('commandstats')));
      return stats.reduce((sum, info) => sum + Number(/calls=(\d+)/.exec(info['cmdstat_get'] ?? '')?.[1] ?? 0), 0);
    };
    const readers = replicaReadCluster(topology);
    try {
      await new Promise((resolve) => readers.once('ready', resolve));
      const [replicasBefore, mastersBefore] = [await getCalls(state.replicas), await getCalls(state.masters)];
      const keys = Array.from({ length: 20 }, (_, i) => `tls:${i * 25}`);
      const values = await Promise.all(keys.map((key) => readers.get(key)));
      expect(values.every((value) => value !== null)).toBe(true);
      expect(await getCalls(state.replicas)).toBe(replicasBefore + keys.length);
      expect(await getCalls(state.masters)).toBe(mastersBefore);
    } finally {
      readers.disconnect();
    }
  });

  it('refuses a tls option it cannot honour instead of ignoring it', async () => {
    await expect(LocalCluster.start({ tls: { ca: 'x' } as unknown as boolean })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(LocalCluster.fromConfigFiles(['/nonexistent.conf'], { tls: true } as never)).rejects.toThrow(/takes no tls option/);
  });
});
