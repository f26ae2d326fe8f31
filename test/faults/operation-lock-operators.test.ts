import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis, type Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterTopology, DEFAULT_OPERATION_LOCK_OPTIONS, LeaseLostError, LocalCluster, OperationLockedError, SlotMigrator, keySlot, type MigrationPlan, type OperationLockOptions } from '../../src/index';
import { clusterDigest, writeKeys } from '../helpers/dataset';
import { redisCliCheck } from '../helpers/redis-cli';
import { expectLeaseRenewed } from '../helpers/lease-renewals';
import { startTestCluster, stopTestCluster } from '../helpers/test-cluster';

const LEASE_KEY = DEFAULT_OPERATION_LOCK_OPTIONS.key;
const LEASE_SLOT = keySlot(LEASE_KEY);
/** What MONITOR shows when a node receives a command that changes slots or keys. */
const MUTATING_MONITOR = /^(migrate|restore|restore-asking|del|unlink|cluster setslot|cluster addslots|cluster addslotsrange|cluster delslots|cluster bumpepoch)$/i;
// Short enough to keep the tests quick, long enough for a loaded CI machine to renew in time.
const SHORT_LEASE: OperationLockOptions = { ttlMs: 6000, renewIntervalMs: 500, safetyMarginMs: 2000 };

interface Child {
  process: ChildProcessWithoutNullStreams;
  lines: string[];
  exited: Promise<number | null>;
  waitFor: (predicate: (lines: string[]) => boolean, timeoutMs?: number) => Promise<void>;
}

function startChild(config: Record<string, unknown>): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/faults/fixtures/lock-child.ts', JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts);
  });
  child.stderr.on('data', () => undefined);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  void exited.then(() => clearTimeout(timer));
  const waitFor = async (predicate: (seen: string[]) => boolean, timeoutMs = 60_000): Promise<void> => {
    // A child that exited early fails the wait at once, showing what it printed.
    await expect.poll(() => predicate(lines) || (child.exitCode !== null ? lines.join('|') : false), { timeout: timeoutMs, interval: 20 }).toBe(true);
  };
  return { process: child, lines, exited, waitFor };
}

function go(...children: Child[]): void {
  for (const child of children) child.process.stdin.write('go\n');
}

describe('two operators and a paused or killed lease holder', { timeout: 150_000 }, () => {
  let local: LocalCluster;
  let topology: ClusterTopology;
  let client: Cluster;
  let dir: string;
  let digest: { keys: number; sha256: string };
  const children: Child[] = [];
  const spawnChild = (config: Record<string, unknown>): Child => {
    const child = startChild({ seeds: local.seeds, ...config });
    children.push(child);
    return child;
  };

  beforeAll(async () => {
    ({ local, topology, client } = await startTestCluster({ masters: 3, replicasPerMaster: 0 }));
    dir = mkdtempSync(join(tmpdir(), 'rco-lock-'));
    await writeKeys(client, 6000, { valueBytes: 48 });
    digest = await clusterDigest(client);
  });
  afterAll(async () => {
    for (const child of children) if (child.process.exitCode === null) child.process.kill('SIGKILL');
    await stopTestCluster({ local, topology, client });
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const expectIntact = async (): Promise<void> => {
    expect(await clusterDigest(client)).toEqual(digest);
    expect((await topology.check()).problems.filter((p) => p.severity === 'error')).toEqual([]);
    const oracle = await redisCliCheck(local.seeds[0]!);
    expect(oracle.ok, oracle.output).toBe(true);
  };

  const planFile = (plan: MigrationPlan): string => {
    const file = join(dir, `plan-${plan.id}.json`);
    writeFileSync(file, JSON.stringify(plan));
    return file;
  };

  it('two processes resharding overlapping slots at once: one proceeds, the other is refused having sent nothing mutating', async () => {
    const state = await topology.refresh();
    const [a, b, c] = state.masters;
    const planner = new SlotMigrator(topology);
    const toB = await planner.planReshard({ from: a!.id, to: b!.id, slots: 400 });
    const toC = await planner.planReshard({ from: a!.id, to: c!.id, slots: 400 });
    const first = spawnChild({ mode: 'execute', planFile: planFile(toB), migrator: { keysPerBatch: 20 } });
    const second = spawnChild({ mode: 'execute', planFile: planFile(toC), migrator: { keysPerBatch: 20 } });
    await Promise.all([first, second].map((child) => child.waitFor((lines) => lines.includes('ready'))));
    go(first, second);
    await Promise.all([first.exited, second.exited]);
    const outputs = [first.lines, second.lines];
    const winner = outputs.find((lines) => lines.includes('done'));
    const loser = outputs.find((lines) => lines.includes('error ERR_OPERATION_LOCKED'));
    expect(winner, JSON.stringify(outputs)).toBeDefined();
    expect(loser, JSON.stringify(outputs)).toBeDefined();
    expect(loser).toContain('mutating-attempts 0');
    expect(loser!.some((line) => line.startsWith('acquired'))).toBe(false);
    await expectIntact();
    await topology.fix(); // nothing to repair: proves the lease was released
    await expectIntact();
  });

  it('a holder paused past its expiry wakes up, stops with LeaseLostError and sends nothing more while another operator holds the lease', async () => {
    const state = await topology.refresh();
    const [a, b] = state.masters;
    const plan = await new SlotMigrator(topology).planReshard({ from: b!.id, to: a!.id, slots: 300 });
    const holder = spawnChild({ mode: 'execute', planFile: planFile(plan), lock: SHORT_LEASE, migrator: { keysPerBatch: 5, slotsInFlight: 1 } });
    await holder.waitFor((lines) => lines.includes('ready'));
    go(holder);
    await holder.waitFor((lines) => lines.filter((line) => line.startsWith('batch')).length >= 5);
    holder.process.kill('SIGSTOP');
    let sentBeforeWake = -1;

    const takeover = new ClusterTopology({ seeds: local.seeds, lock: { waitMs: 40_000 } });
    const monitors: Redis[] = [];
    const seen: string[] = [];
    try {
      await takeover.lock.run('takeover', async () => {
        // The paused holder's lease ran out (it is alive, so only the expiry freed it).
        for (const node of local.nodes) {
          const monitor = new Redis({ host: node.host, port: node.port, lazyConnect: true });
          monitors.push(monitor);
          const feed = await monitor.monitor();
          feed.on('monitor', (_time: string, args: string[]) => {
            const command = args.slice(0, 2).join(' ');
            if (MUTATING_MONITOR.test(String(args[0])) || MUTATING_MONITOR.test(command)) seen.push(`${node.address} ${command}`);
          });
          monitors.push(feed);
        }
        // Seconds after the stop: every line the holder wrote before it has been read.
        sentBeforeWake = holder.lines.filter((line) => line.startsWith('sent')).length;
        holder.process.kill('SIGCONT');
        await holder.exited;
        await new Promise((resolve) => setTimeout(resolve, 300)); // let MONITOR deliver what it saw
        expect(seen).toEqual([]);
        expect(holder.lines).toContain('error ERR_LEASE_LOST');
        expect(holder.lines.filter((line) => line.startsWith("sent")).length, holder.lines.slice(-12).join("|")).toBe(sentBeforeWake);
        // The new holder repairs what the paused one left open, under its own lease.
        await takeover.fix();
      }, { eager: true });
    } finally {
      monitors.forEach((monitor) => monitor.disconnect());
      await takeover.close();
    }
    await expectIntact();
  });

  it('a holder killed with SIGKILL: its lease expires on its own, and a new operator proceeds', async () => {
    const holder = spawnChild({ mode: 'hold', lock: SHORT_LEASE });
    await holder.waitFor((lines) => lines.includes('ready'));
    go(holder);
    await holder.waitFor((lines) => lines.some((line) => line.startsWith('acquired')));
    holder.process.kill('SIGKILL');
    await holder.exited;
    const direct = local.client();
    try {
      expect(await direct.pttl(LEASE_KEY)).toBeGreaterThan(0);
      // Nobody breaks it: the server expires it within the TTL.
      await expect.poll(() => direct.exists(LEASE_KEY), { timeout: SHORT_LEASE.ttlMs! + 5000, interval: 100 }).toBe(0);
    } finally {
      direct.disconnect();
    }
    await topology.fix();
    await expectIntact();
  });

  it('a holder killed with SIGKILL on this machine does not block the next operator until expiry', async () => {
    const holder = spawnChild({ mode: 'hold', lock: { ttlMs: 600_000, renewIntervalMs: 1000, safetyMarginMs: 5000 } });
    await holder.waitFor((lines) => lines.includes('ready'));
    go(holder);
    await holder.waitFor((lines) => lines.some((line) => line.startsWith('acquired')));
    const refused = await topology.fix().catch((error: unknown) => error);
    expect(holder.process.exitCode, 'the holder still runs (else its lease is rightly broken as dead)').toBeNull();
    expect(refused).toBeInstanceOf(OperationLockedError);
    holder.process.kill('SIGKILL');
    await holder.exited;
    const broken: string[] = [];
    topology.lock.once('lease-broken', (event) => broken.push(event.reason));
    await topology.fix();
    expect(broken).toEqual(['holder-dead']);
    await expectIntact();
  });
});

describe('the lease on a master that is killed and failed over by the cluster', { timeout: 120_000 }, () => {
  let local: LocalCluster;
  let topology: ClusterTopology;
  let client: Cluster;

  beforeAll(async () => {
    ({ local, topology, client } = await startTestCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 2000 }));
    await writeKeys(client, 2000, { valueBytes: 32 });
  });
  afterAll(() => stopTestCluster({ local, topology, client }));

  it('survives: the promoted replica has it (WAIT on acquire), renewals follow the new master, others stay refused', async () => {
    const holder = new ClusterTopology({ seeds: local.seeds, lock: { ttlMs: 20_000, renewIntervalMs: 300, safetyMarginMs: 5000 } });
    const other = new ClusterTopology({ seeds: local.seeds });
    let lost = 0;
    holder.lock.on('lease-lost', () => lost++);
    try {
      await holder.lock.run('failover-drill', async () => {
        const state = await holder.refresh();
        const owner = state.ownerOf(LEASE_SLOT)!;
        const replica = state.replicasOf(owner.id)[0]!;
        await local.killNode(owner.id);
        await expect.poll(async () => (await holder.refresh()).ownerOf(LEASE_SLOT)?.id, { timeout: 30_000, interval: 200 }).toBe(replica.id);
        await expectLeaseRenewed(holder);
        await expect(other.fix()).rejects.toBeInstanceOf(OperationLockedError);
        // Still allowed to change the cluster: forget the dead master under this lease.
        await holder.forgetEverywhere(owner.id);
      });
    } finally {
      await holder.close();
      await other.close();
    }
    expect(lost).toBe(0);
    expect(LeaseLostError).toBeDefined();
  });
});
