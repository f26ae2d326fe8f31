import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthenticationError, ClusterTopology, InvalidArgumentError, LocalCluster, MalformedReplyError, NodePool, NodeTimeoutError, NodeUnreachableError, PermissionDeniedError } from '../../src/index';
import { bulk, startFakeRespServer } from '../helpers/fake-resp-server';
import { startLocalCluster } from '../helpers/test-cluster';

describe('node connections', () => {
  let local: LocalCluster;
  beforeAll(async () => {
    local = await startLocalCluster({ masters: 3, replicasPerMaster: 0 });
  });
  afterAll(async () => {
    await local?.stop();
  });

  it('reuses one connection per node address', async () => {
    const pool = new NodePool();
    try {
      const seed = local.seeds[0]!;
      expect(pool.get(seed)).toBe(pool.get(`${seed.host}:${seed.port}`));
      const before = Number((await pool.get(seed).info('clients'))['connected_clients']);
      await Promise.all(Array.from({ length: 20 }, () => pool.get(seed).ping()));
      expect(Number((await pool.get(seed).info('clients'))['connected_clients'])).toBe(before);
    } finally {
      await pool.close();
    }
  });

  it('closes a hung connection once, however many commands time out on it', async () => {
    const pool = new NodePool({ commandTimeoutMs: 300 });
    const node = local.nodes[2]!;
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning);
    };
    process.on('warning', onWarning);
    try {
      const client = pool.get(node.address);
      await client.ping();
      await local.freezeNode(node.address);
      // 12 commands in flight on one connection time out together: one disconnect, not 12 ('close' listeners past 10 warn).
      const results = await Promise.allSettled([...Array.from({ length: 6 }, () => client.ping()), ...Array.from({ length: 6 }, () => client.pipeline([['PING'], ['PING']]))]);
      expect(results.every((result) => result.status === 'rejected' && result.reason instanceof NodeTimeoutError)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([]);
      await local.thawNode(node.address);
      // The next call dials afresh and is answered.
      await expect(client.ping()).resolves.toBeUndefined();
    } finally {
      process.off('warning', onWarning);
      await local.thawNode(node.address).catch(() => undefined);
      await pool.close();
    }
  });

  it('dials announced addresses through natMap', async () => {
    const seed = local.seeds[0]!;
    // The seed is given by an address that does not exist; natMap says where to dial it.
    const topology = new ClusterTopology({
      seeds: [{ host: '10.255.0.1', port: seed.port }],
      natMap: { [`10.255.0.1:${seed.port}`]: { host: seed.host, port: seed.port } },
      connectTimeoutMs: 500,
    });
    try {
      const state = await topology.refresh();
      expect(state.masters).toHaveLength(3);
    } finally {
      await topology.close();
    }
  });

  it('fails a command on a hung node after commandTimeoutMs, naming the node, and recovers after', async () => {
    const victim = local.nodes[2]!;
    const pool = new NodePool({ commandTimeoutMs: 300 });
    try {
      await pool.get(victim.address).ping();
      await local.freezeNode(victim.address);
      const error = await pool.get(victim.address).ping().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NodeUnreachableError);
      expect((error as Error).message).toContain(victim.address);
      expect((error as Error).message).not.toMatch(/protected mode/);
      expect((error as Error).message).toMatch(/no reply within 300 ms/);
      await local.thawNode(victim.address);
      await pool.get(victim.address).ping();
    } finally {
      await local.thawNode(victim.address);
      await pool.close();
    }
  });

  it('rejects a malformed CLUSTER NODES reply with an error naming the line', async () => {
    const fake = await startFakeRespServer((command) => {
      if (command[0]?.toUpperCase() === 'CLUSTER' && command[1]?.toUpperCase() === 'NODES') return bulk('this is not a cluster nodes line\n');
      if (command[0]?.toUpperCase() === 'CLUSTER' && command[1]?.toUpperCase() === 'INFO') return bulk('cluster_state:ok\r\n');
      return '+OK\r\n';
    });
    const topology = new ClusterTopology({ seeds: [{ host: '127.0.0.1', port: fake.port }] });
    try {
      const error = await topology.refresh().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MalformedReplyError);
      expect((error as Error).message).toContain('this is not a cluster nodes line');
    } finally {
      await topology.close();
      await fake.close();
    }
  });

  it('names the commands an ACL user lacks and the rule that grants them; the rule works', async () => {
    const admin = new NodePool();
    const user = `reader${process.pid}`;
    const topology = new ClusterTopology({ seeds: [local.seeds[0]!], username: user, password: 'pw' });
    try {
      for (const seed of local.seeds) await admin.get(seed).call(['ACL', 'SETUSER', user, 'on', '>pw', '~*', '+@read', '+ping']);
      const error = await topology.refresh().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PermissionDeniedError);
      // Redis 7 names subcommands (cluster|nodes); 6.2 names the command (cluster).
      const commands = Number((await admin.get(local.seeds[0]!).info('server'))['redis_version']?.split('.')[0]) >= 7 ? ['cluster|nodes', 'cluster|info'] : ['cluster'];
      expect(error).toMatchObject({ code: 'ERR_NO_PERMISSION', username: user, commands });
      expect((error as Error).message).not.toMatch(/protected mode|Cannot connect/);
      const rule = new RegExp(`ACL SETUSER (\\S+) (${commands.map((c) => `\\+${c.replace('|', '\\|')}`).join(' ')})\\.`).exec((error as Error).message);
      expect(rule?.[1]).toBe(user);
      // Granting exactly what the message says is enough for discovery.
      for (const seed of local.seeds) await admin.get(seed).call(['ACL', 'SETUSER', user, ...rule![2]!.split(' ')]);
      expect((await topology.refresh()).masters).toHaveLength(3);
      // A wrong password is an authentication error, said with one period.
      const wrong = new ClusterTopology({ seeds: [local.seeds[0]!], username: user, password: 'wrong' });
      const authError = await wrong.refresh().catch((e: unknown) => e);
      await wrong.close();
      expect(authError).toBeInstanceOf(AuthenticationError);
      expect((authError as Error).message).not.toMatch(/\.\./);
    } finally {
      for (const seed of local.seeds) await admin.get(seed).call(['ACL', 'DELUSER', user]);
      await topology.close();
      await admin.close();
    }
  });

  it('refuses bad options before connecting', () => {
    expect(() => new ClusterTopology({ seeds: [{ host: 'h', port: 0 }] })).toThrow(/seeds\[0\]\.port/);
    expect(() => new ClusterTopology({ seeds: [], commandTimeoutMs: -1 })).toThrow(InvalidArgumentError);
    expect(() => new ClusterTopology({ seeds: [], username: 'ops' })).toThrow(/password/);
  });
});
