import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { ClusterTopology, LocalCluster, NodeNotEmptyError, type NodeAddress } from '../../src/index';
import { startTestCluster, stopTestCluster } from '../helpers/test-cluster';

/**
 * A node written to while standalone (cluster-enabled no), saved, then started with
 * cluster-enabled yes from that RDB: Redis makes it claim the slots of its keys.
 */
async function nodeLoadedFromRdb(local: LocalCluster, keys: number): Promise<NodeAddress> {
  const node = await local.startNode({ config: { 'cluster-enabled': 'no' } });
  const redis = new Redis({ host: node.host, port: node.port, lazyConnect: true });
  try {
    await redis.connect();
    for (let i = 0; i < keys; i++) await redis.set(`loaded:${i}`, `value-${i}`);
    await redis.save();
  } finally {
    redis.disconnect();
  }
  const configFile = local.nodes.find((n) => n.port === node.port)!.configFile;
  writeFileSync(configFile, readFileSync(configFile, 'utf8').replace(/^cluster-enabled no$/m, 'cluster-enabled yes'));
  await local.restartNode(`${node.host}:${node.port}`);
  return node;
}

async function raw(node: NodeAddress, ...args: string[]): Promise<unknown> {
  const redis = new Redis({ host: node.host, port: node.port, lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await redis.connect();
    return await redis.call(args[0] as string, ...args.slice(1));
  } finally {
    redis.disconnect();
  }
}

describe('a node that holds keys (loaded from an RDB) is refused by addNode and create with advice that works', () => {
  let local: LocalCluster;
  let topology: ClusterTopology;
  let loaded: NodeAddress;

  beforeAll(async () => {
    ({ local, topology } = await startTestCluster({ masters: 3, replicasPerMaster: 0 }));
    loaded = await nodeLoadedFromRdb(local, 40);
  });
  afterAll(() => stopTestCluster({ local, topology }));

  it('the loaded node claims the slots of its keys, and Redis refuses CLUSTER RESET on it', async () => {
    const info = String(await raw(loaded, 'CLUSTER', 'INFO'));
    expect(Number(/cluster_slots_assigned:(\d+)/.exec(info)?.[1])).toBeGreaterThan(0);
    await expect(raw(loaded, 'CLUSTER', 'RESET')).rejects.toThrow(/containing keys/);
  });

  it('addNode refuses it for its keys before sending anything, naming FLUSHALL then CLUSTER RESET, or importData', async () => {
    const before = await topology.refresh();
    const timeoutBefore = await raw(loaded, 'CONFIG', 'GET', 'cluster-node-timeout');
    const error = await topology.addNode(loaded, { as: 'master' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeNotEmptyError);
    expect((error as NodeNotEmptyError).reason).toBe('keys');
    expect((error as NodeNotEmptyError).message).toMatch(/it holds 40 key\(s\)/);
    expect((error as NodeNotEmptyError).message).toMatch(/FLUSHALL, then CLUSTER RESET/);
    expect((error as NodeNotEmptyError).message).toContain(`importData({ from: { host: '${loaded.host}', port: ${loaded.port} }`);
    // Nothing was sent: no member met it, its own settings are untouched.
    const after = await topology.refresh();
    expect(after.nodes.map((n) => n.id).sort()).toEqual(before.nodes.map((n) => n.id).sort());
    expect(String(await raw(loaded, 'CLUSTER', 'INFO'))).toMatch(/cluster_known_nodes:1\b/);
    expect(await raw(loaded, 'CONFIG', 'GET', 'cluster-node-timeout')).toEqual(timeoutBefore);
    expect(await raw(loaded, 'DBSIZE')).toBe(40);
  });

  it('create() refuses it too, before any slot is assigned on the other nodes', async () => {
    const others = [await local.startNode(), await local.startNode()];
    const fresh = new ClusterTopology({ seeds: [] });
    try {
      const error = await fresh.create([loaded, ...others], { replicasPerMaster: 0 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NodeNotEmptyError);
      expect((error as NodeNotEmptyError).reason).toBe('keys');
      for (const node of others) expect(String(await raw(node, 'CLUSTER', 'INFO'))).toMatch(/cluster_slots_assigned:0\b/);
    } finally {
      await fresh.close();
    }
  });

  it('following the advice (FLUSHALL, then CLUSTER RESET) lets it join', async () => {
    await raw(loaded, 'FLUSHALL');
    await raw(loaded, 'CLUSTER', 'RESET');
    const added = await topology.addNode(loaded, { as: 'master' });
    expect(added.role).toBe('master');
    expect((await topology.check()).ok).toBe(true);
  });
});
