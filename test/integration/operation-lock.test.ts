import { hostname } from 'node:os';
import { Redis, type Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ClusterTopology,
  FailoverController,
  LocalCluster,
  NodeClaimStore,
  OperationLockedError,
  SlotMigrator,
  importData,
  keySlot,
  type ClusterTopologyOptions,
  type NodeAddress,
  DEFAULT_OPERATION_LOCK_OPTIONS,
} from '../../src/index';
import { resolveConnectionOptions } from '../../src/net/connection-options';
import { clusterDigest, writeKeys } from '../helpers/dataset';
import { redisCliCheck } from '../helpers/redis-cli';
import { expectLeaseRenewed } from '../helpers/lease-renewals';
import { startTestCluster, stopTestCluster } from '../helpers/test-cluster';

const LEASE_KEY = DEFAULT_OPERATION_LOCK_OPTIONS.key;
const LEASE_SLOT = keySlot(LEASE_KEY);
/** Commands that change a node: none of them may reach the cluster from a refused operator. */
const MUTATING_STATS = ['cluster|setslot', 'cluster|addslots', 'cluster|addslotsrange', 'cluster|delslots', 'cluster|delslotsrange', 'cluster|meet', 'cluster|forget', 'cluster|replicate', 'cluster|failover', 'cluster|bumpepoch', 'migrate', 'restore', 'restore-asking', 'del', 'config|set'];

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Calls of the mutating commands on every node, from INFO commandstats (the server's own count). */
async function mutatingCalls(local: LocalCluster): Promise<number> {
  let total = 0;
  for (const node of local.nodes) {
    const redis = new Redis({ host: node.host, port: node.port, lazyConnect: true });
    try {
      const stats = String(await redis.info('commandstats'));
      for (const name of MUTATING_STATS) total += Number(new RegExp(`^cmdstat_${name.replace('|', '\\|')}:calls=(\\d+)`, 'm').exec(stats)?.[1] ?? 0);
    } finally {
      redis.disconnect();
    }
  }
  return total;
}

describe('operation lock on a real cluster', () => {
  let local: LocalCluster;
  let topology: ClusterTopology;
  let client: Cluster;
  let digest: { keys: number; sha256: string };
  const others: ClusterTopology[] = [];
  const another = (options: Partial<ClusterTopologyOptions> = {}): ClusterTopology => {
    const topo = new ClusterTopology({ seeds: local.seeds, ...options });
    others.push(topo);
    return topo;
  };

  beforeAll(async () => {
    ({ local, topology, client } = await startTestCluster({ masters: 3, replicasPerMaster: 1 }));
    await writeKeys(client, 3000, { valueBytes: 32 });
    await client.set(`{redis-cluster-ops}:neighbour`, 'shares the lease slot');
    digest = await clusterDigest(client);
  });
  afterAll(async () => {
    await Promise.all(others.map((topo) => topo.close()));
    await stopTestCluster({ local, topology, client });
  });

  const expectIntact = async (): Promise<void> => {
    expect(await clusterDigest(client)).toEqual(digest);
    expect((await topology.check()).problems.filter((p) => p.severity === 'error')).toEqual([]);
    const oracle = await redisCliCheck(local.seeds[0]!);
    expect(oracle.ok, oracle.output).toBe(true);
  };

  it('a second operator is refused by every mutating call, naming the holder, and sends nothing mutating', async () => {
    const gate = deferred();
    const holding = topology.lock.run('nightly-maintenance', () => gate.promise, { eager: true });
    try {
      await expect.poll(() => topology.lockHolder().then((h) => h?.holder.operation), { timeout: 10_000 }).toBe('nightly-maintenance');
      const state = await topology.refresh();
      const [a, b] = state.masters;
      const replica = state.replicas[0]!;
      const second = another();
      const sent: string[] = [];
      second.pool.commandHooks.add((_node, commands) => {
        for (const args of commands) sent.push(args.slice(0, 2).map(String).join(' ').toUpperCase());
      });
      const migrator = new SlotMigrator(second);
      const failover = new FailoverController(second);
      const plan = await new SlotMigrator(second).planReshard({ from: a!.id, to: b!.id, slots: 50 });
      const before = await mutatingCalls(local);

      const attempts: [string, () => Promise<unknown>][] = [
        ['execute', () => migrator.execute(plan)],
        ['reshard', () => migrator.reshard({ from: a!.id, to: b!.id, slots: 10 })],
        ['rebalance', () => migrator.rebalance()],
        ['drain', () => migrator.drain(a!.id)],
        ['fix', () => second.fix()],
        ['addNode', () => second.addNode({ host: '127.0.0.1', port: 1 }, { as: 'master' })],
        ['removeNode', () => second.removeNode(replica.id)],
        ['forgetEverywhere', () => second.forgetEverywhere(replica.id)],
        ['replicate', () => second.replicate(replica.id, replica.masterId!)],
        ['failover', () => failover.failover(replica.id)],
        ['replaceNode', () => failover.replaceNode(replica.id, { host: '127.0.0.1', port: 1 })],
        ['rehomeReplicas', () => failover.rehomeReplicas()],
        ['spreadMasters', () => failover.spreadMasters()],
        ['importData', () => importData({ from: { host: '127.0.0.1', port: local.seeds[0]!.port }, into: second })],
      ];
      for (const [name, attempt] of attempts) {
        const error = await attempt().then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(error, name).toBeInstanceOf(OperationLockedError);
        const locked = error as OperationLockedError;
        expect(locked.code).toBe('ERR_OPERATION_LOCKED');
        expect(locked.holder.holder).toMatchObject({ host: hostname(), pid: process.pid, operation: 'nightly-maintenance' });
        expect(locked.holder.expiresInMs).toBeGreaterThan(0);
        expect(locked.message).toContain(`topology.breakLock('${locked.holder.token}')`);
      }
      // Only reads went out through the refused operator's connections, and the servers counted no write.
      expect(sent.filter((command) => !/^(CLUSTER (NODES|INFO|MYID)|INFO|CLIENT LIST|TIME|PING)/.test(command))).toEqual([]);
      expect(await mutatingCalls(local)).toBe(before);
    } finally {
      gate.resolve();
      await holding;
    }
    expect(await topology.lockHolder()).toBeUndefined();
    await expectIntact();
  });

  it('two SlotMigrators of one process, with plans from the same snapshot: one moves, the other is refused, no key is lost', async () => {
    const state = await topology.refresh();
    const [a, b, c] = state.masters;
    const first = new SlotMigrator(topology, { keysPerBatch: 50, slotsInFlight: 4 });
    const second = new SlotMigrator(topology, { keysPerBatch: 50, slotsInFlight: 4 });
    const planB = await first.planReshard({ from: a!.id, to: b!.id, slots: 300 });
    const planC = await second.planReshard({ from: a!.id, to: c!.id, slots: 300 });
    expect(planB.moves[0]!.slots).toEqual(planC.moves[0]!.slots);
    const outcomes = await Promise.allSettled([first.execute(planB), second.execute(planC)]);
    const fulfilled = outcomes.filter((o) => o.status === 'fulfilled');
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toBeInstanceOf(OperationLockedError);
    await expectIntact();
  });

  it('calls nested in a held lease reuse it: a reshard, then fix(), under one lease', async () => {
    const acquired: string[] = [];
    const listener = (event: { operation: string }): void => {
      acquired.push(event.operation);
    };
    topology.lock.on('lease-acquired', listener);
    try {
      const state = await topology.refresh();
      const [a, b] = state.masters;
      await topology.lock.run('maintenance', async () => {
        await new SlotMigrator(topology).reshard({ from: b!.id, to: a!.id, slots: 20 });
        await topology.fix();
        expect(topology.lock.current?.operation).toBe('maintenance');
      });
    } finally {
      topology.lock.off('lease-acquired', listener);
    }
    expect(acquired).toEqual(['maintenance']);
    await expectIntact();
  });

  it('the lease keeps working while our own migration moves its slot (it follows ASK and MOVED)', async () => {
    const fast = another({ lock: { ttlMs: 6000, renewIntervalMs: 100, safetyMarginMs: 2000 } });
    const state = await fast.refresh();
    const owner = state.ownerOf(LEASE_SLOT)!;
    const target = state.masters.find((m) => m.id !== owner.id)!;
    let renewals = 0;
    let lost = 0;
    fast.lock.on('lease-renewed', () => renewals++);
    fast.lock.on('lease-lost', () => lost++);
    const migrator = new SlotMigrator(fast, { keysPerBatch: 1 });
    let batches = 0;
    // Slow the move down so that renewals run while the slot is open and its keys travel.
    migrator.on('batch', () => {
      batches++;
    });
    fast.pool.commandHooks.add(async (_node, commands) => {
      if (commands.some((args) => String(args[0]).toUpperCase() === 'MIGRATE')) await new Promise((resolve) => setTimeout(resolve, 150));
    });
    await fast.lock.run('move-the-lease-slot', async () => {
      const before = renewals;
      await migrator.reshard({ from: owner.id, to: target.id, slots: [LEASE_SLOT] });
      expect(renewals).toBeGreaterThan(before);
      // Still ours, and now on the new owner.
      expect((await fast.lockHolder())?.token).toBe(fast.lock.current?.token);
      const direct = new Redis({ host: target.host, port: target.port, lazyConnect: true });
      try {
        expect(await direct.exists(LEASE_KEY)).toBe(1);
      } finally {
        direct.disconnect();
      }
      const after = renewals;
      await expect.poll(() => renewals, { timeout: 5000 }).toBeGreaterThan(after);
    });
    expect(batches).toBeGreaterThanOrEqual(2);
    expect(lost).toBe(0);
    expect((await fast.refresh()).ownerOf(LEASE_SLOT)?.id).toBe(target.id);
    await expectIntact();
  });

  it('the lease survives a failover of the master that holds it', async () => {
    const holder = another({ lock: { ttlMs: 20_000, renewIntervalMs: 200, safetyMarginMs: 5000 } });
    const state = await holder.refresh();
    const owner = state.ownerOf(LEASE_SLOT)!;
    const replica = state.replicasOf(owner.id)[0]!;
    let lost = 0;
    holder.lock.on('lease-lost', () => lost++);
    const acquired: boolean[] = [];
    holder.lock.on('lease-acquired', (event) => acquired.push(event.replicated));
    await holder.lock.run('failover-drill', async () => {
      await new FailoverController(holder).failover(replica.id);
      await expectLeaseRenewed(holder);
      const second = another();
      await expect(second.fix()).rejects.toBeInstanceOf(OperationLockedError);
    });
    expect(acquired).toEqual([true]);
    expect(lost).toBe(0);
    expect((await holder.refresh()).ownerOf(LEASE_SLOT)?.id).toBe(replica.id);
    await expectIntact();
  });

  it('breakLock frees a stale lease; without it the next operator is refused', async () => {
    // A lease left by a holder on another machine (its process cannot be checked from here).
    const direct = local.client();
    const token = 'ab'.repeat(16);
    await direct.set(LEASE_KEY, `${token}:1:${JSON.stringify({ h: 'gone-host', p: 4242, o: 'reshard', s: Date.now() - 60_000 })}`, 'PX', 600_000);
    direct.disconnect();
    const next = another();
    const refused = (await next.fix().catch((error: unknown) => error)) as OperationLockedError;
    expect(refused).toBeInstanceOf(OperationLockedError);
    expect(refused.holder).toMatchObject({ token, holder: { host: 'gone-host', pid: 4242, operation: 'reshard' } });
    expect(refused.message).toContain('gone-host');
    await expect(next.breakLock('cd'.repeat(16))).resolves.toBeUndefined(); // another token breaks nothing
    await expect(next.fix()).rejects.toBeInstanceOf(OperationLockedError);
    expect(await next.breakLock(token)).toMatchObject({ token, holder: { host: 'gone-host' } });
    await next.fix();
    expect(await next.lockHolder()).toBeUndefined();
    await expectIntact();
  });

  it('with no master serving the lease slot, fix() holds the lease as node claims and repairs the slot', async () => {
    const state = await topology.refresh();
    const owner = state.ownerOf(LEASE_SLOT)!;
    // A holder that took the lease before (key and claims) must still exclude an operator that can only claim.
    // It waits out a lease an earlier test's operation may still be releasing; the work starts once its own lease is taken.
    const holder = another({ lock: { waitMs: 30_000 } });
    const gate = deferred();
    const started = deferred();
    const holding = holder.lock.run(
      'long-job',
      () => {
        started.resolve();
        return gate.promise;
      },
      { eager: true },
    );
    holding.catch(() => undefined); // awaited below
    await Promise.race([started.promise, holding]);
    expect((await topology.lockHolder())?.holder.operation).toBe('long-job');
    // DELSLOTS keeps the slot's keys; fix() gives the slot back to the node holding them.
    await Promise.all(state.nodes.map((node) => topology.pool.get(node.address).call(['CLUSTER', 'DELSLOTS', LEASE_SLOT]).catch(() => undefined)));
    await expect.poll(async () => (await topology.refresh()).uncoveredSlots().has(LEASE_SLOT), { timeout: 10_000 }).toBe(true);
    const refused = await another().fix().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(OperationLockedError);
    expect((refused as OperationLockedError).holder.holder.operation).toBe('long-job');
    gate.resolve();
    await holding;
    let claimSeen = false;
    const fixer = another();
    fixer.pool.commandHooks.add(async (node, commands) => {
      // The repair's slot assignment (CLUSTER SETSLOT ... NODE, BUMPEPOCH, ADDSLOTS): the claims must be in place by then.
      if (claimSeen || !commands.some((args) => /^CLUSTER$/i.test(String(args[0])) && /^(ADDSLOTS|ADDSLOTSRANGE|SETSLOT|BUMPEPOCH)$/i.test(String(args[1] ?? '')))) return;
      const [host, port] = [node.slice(0, node.lastIndexOf(':')), Number(node.slice(node.lastIndexOf(':') + 1))];
      const probe = new Redis({ host, port, lazyConnect: true });
      try {
        claimSeen = / name=rco-lease\./.test(String(await probe.call('CLIENT', 'LIST')));
      } finally {
        probe.disconnect();
      }
    });
    await fixer.fix();
    expect(claimSeen).toBe(true);
    const after = await topology.waitForConvergence();
    expect(after.state.ownerOf(LEASE_SLOT)?.id).toBe(owner.id);
    await expectIntact();
  });
});

describe('create() holds the lease as claims on the new nodes', () => {
  it('two creates on the same empty nodes: at most one proceeds, the other is refused before sending anything mutating', async () => {
    const local = await LocalCluster.start({ masters: 3, replicasPerMaster: 0, create: false });
    const topologies: ClusterTopology[] = [];
    try {
      const nodes = local.seeds;
      let created = 0;
      for (let round = 0; round < 3 && created === 0; round++) {
        const pair = [new ClusterTopology({ seeds: [] }), new ClusterTopology({ seeds: [] })];
        topologies.push(...pair);
        const writes = [0, 0];
        pair.forEach((topo, i) =>
          topo.pool.commandHooks.add((_node, commands) => {
            if (commands.some((args) => /^(ADDSLOTS|ADDSLOTSRANGE|MEET|SET-CONFIG-EPOCH|REPLICATE)$/i.test(String(args[1] ?? '')))) writes[i]!++;
          }),
        );
        const outcomes = await Promise.allSettled(pair.map((topo) => topo.create(nodes, { replicasPerMaster: 0 })));
        const fulfilled = outcomes.filter((o) => o.status === 'fulfilled').length;
        expect(fulfilled).toBeLessThanOrEqual(1);
        outcomes.forEach((outcome, i) => {
          if (outcome.status === 'rejected') {
            expect(outcome.reason).toBeInstanceOf(OperationLockedError);
            expect(writes[i]).toBe(0);
          }
        });
        created += fulfilled;
      }
      expect(created).toBe(1);
      const oracle = await redisCliCheck(local.seeds[0]!);
      expect(oracle.ok, oracle.output).toBe(true);
    } finally {
      await Promise.all(topologies.map((topo) => topo.close()));
      await local.stop();
    }
  });

  it('the claims of a create hold through a node that misses a heartbeat, each until its own expiry; another creator still yields', async () => {
    const local = await LocalCluster.start({ masters: 3, replicasPerMaster: 0, create: false });
    const connection = resolveConnectionOptions({ commandTimeoutMs: 500, connectTimeoutMs: 500 });
    const nodes = async (): Promise<NodeAddress[]> => local.seeds;
    const first = new NodeClaimStore(connection, nodes, 'all');
    const second = new NodeClaimStore(connection, nodes, 'all');
    const holder = { host: hostname(), pid: process.pid, operation: 'create', since: Date.now() };
    const token = 'a'.repeat(32);
    const ttlMs = 4000;
    const [frozen] = local.nodes.map((node) => node.address);
    try {
      expect((await first.acquire({ token, ttlMs, holder })).acquired).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await local.freezeNode(frozen!);
      // Two renewed, the frozen node's claim stands until its own expiry: the lease holds, for no longer than that claim.
      const renewed = await first.renew(token, ttlMs);
      expect(renewed.renewed).toBe(true);
      expect((renewed as { validForMs: number }).validForMs).toBeLessThanOrEqual(ttlMs - 900);
      await local.thawNode(frozen!);
      const refused = await second.acquire({ token: 'b'.repeat(32), ttlMs, holder: { ...holder, operation: 'second-create' } });
      expect(refused).toMatchObject({ acquired: false, current: { token } });
      // The next heartbeat renews the node that missed one: full validity again.
      const again = await first.renew(token, ttlMs);
      expect((again as { validForMs: number }).validForMs).toBeGreaterThan(ttlMs - 500);
      // A node that stays silent past its claim's expiry ends the lease.
      await local.freezeNode(frozen!);
      await new Promise((resolve) => setTimeout(resolve, ttlMs + 200));
      expect(await first.renew(token, ttlMs)).toEqual({ renewed: false });
    } finally {
      for (const node of local.nodes) await local.thawNode(node.address).catch(() => undefined);
      await first.close();
      await second.close();
      await local.stop();
    }
  });
});

