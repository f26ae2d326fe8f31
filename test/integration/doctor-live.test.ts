import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterTopology, LocalCluster, diagnose, type Finding } from '../../src/index';
import { pollUntil } from '../../src/util/poll';

const logsOf = (local: LocalCluster): Record<string, string> => Object.fromEntries(local.nodes.map((n) => [n.address, n.logFile]));
const wait = (check: () => Promise<boolean>, timeoutMs = 15_000): Promise<unknown> => pollUntil(async () => ({ done: await check() }), { timeoutMs, operation: 'test' });
const isRoot = process.getuid?.() === 0;

/** A pids cgroup (v1 or v2) holding `pid` at its current task count, so fork() fails with EAGAIN; undefined where cgroups are not writable. */
function pidsCgroup(pid: number): { release: () => void } | undefined {
  const v1 = '/sys/fs/cgroup/pids';
  const base = existsSync(join(v1, 'cgroup.procs')) ? v1 : readFileSync('/sys/fs/cgroup/cgroup.controllers', { encoding: 'utf8', flag: 'r' }).includes('pids') ? '/sys/fs/cgroup' : undefined;
  if (base === undefined) return undefined;
  const group = join(base, `rco-doctor-${process.pid}`);
  try {
    mkdirSync(group);
    writeFileSync(join(group, 'cgroup.procs'), String(pid));
    writeFileSync(join(group, 'pids.max'), readFileSync(join(group, 'pids.current'), 'utf8').trim());
  } catch {
    rmSync(group, { recursive: true, force: true });
    return undefined;
  }
  return {
    release: () => {
      writeFileSync(join(group, 'pids.max'), 'max');
      writeFileSync(join(base, 'cgroup.procs'), String(pid));
      rmSync(group, { recursive: true, force: true });
    },
  };
}

describe('Doctor on standalone redis-server 7.0 nodes', () => {
  let local: LocalCluster;
  const topologies: ClusterTopology[] = [];
  const topologyOf = (index: number): ClusterTopology => {
    const topology = new ClusterTopology({ seeds: [local.seeds[index]!] });
    topologies.push(topology);
    return topology;
  };

  beforeAll(async () => {
    // No cluster-announce-ip: a node that has met no one lists itself as ":PORT@CPORT".
    local = await LocalCluster.start({ masters: 5, replicasPerMaster: 0, create: false, nodeTimeoutMs: 500, config: { 'cluster-announce-ip': '""', 'enable-protected-configs': 'yes' } });
  });
  afterAll(async () => {
    for (const topology of topologies) await topology.close();
    await local?.stop();
  });

  it('diagnoses a freshly started node that has met no one (its own line has no ip)', async () => {
    const topology = topologyOf(0);
    expect((await topology.pool.get(local.nodes[0]!.address).call(['CLUSTER', 'NODES'])) as string).toMatch(/^[0-9a-f]{40} :\d+@\d+ myself,master/);
    const findings = await diagnose(topology, { logFiles: logsOf(local) });
    const own = findings.filter((f) => f.nodeId !== undefined);
    expect(own.every((f) => f.address === local.nodes[0]!.address)).toBe(true);
    // Host checks name the machine they read, which is the nodes' own here (loopback).
    const overcommit = findings.find((f) => f.code === 'overcommit-zero' && f.nodeId === undefined);
    if (readFileSync('/proc/sys/vm/overcommit_memory', 'utf8').trim() === '0') expect(overcommit?.evidence).toMatch(/read on this machine \(.*the one running this program\), where 127\.0\.0\.1:\d+ run/);
  });

  it('does not judge a remote node by this machine\'s /proc and /sys: says so, and reads the node\'s own startup warnings', async () => {
    const node = local.nodes[4]!;
    const announced = `10.255.255.1:${node.port}`;
    const topology = new ClusterTopology({ seeds: [node], natMap: { [announced]: { host: node.host, port: node.port } } });
    topologies.push(topology);
    await topology.pool.get(node.address).configSet('cluster-announce-ip', '10.255.255.1');
    const blind = await diagnose(topology);
    expect(blind.find((f) => f.code === 'host-not-inspected')).toMatchObject({ severity: 'info', evidence: expect.stringContaining(`${announced} run on other machines than this one`) });
    expect(blind.filter((f) => ['thp-enabled', 'overcommit-zero', 'overcommit-strict', 'tcp-backlog-over-somaxconn'].includes(f.code))).toEqual([]);
    const fromLog = await diagnose(topology, { logFiles: { [announced]: node.logFile } });
    expect(fromLog.some((f) => f.code === 'host-not-inspected')).toBe(false);
    if (readFileSync('/proc/sys/vm/overcommit_memory', 'utf8').trim() === '0') {
      expect(fromLog.find((f) => f.code === 'overcommit-zero')).toMatchObject({ address: announced, evidence: expect.stringMatching(/^at its last start the server logged: .*WARNING Memory overcommit must be enabled/) });
    }
  });

  it.skipIf(!isRoot)('reports a refused fork (BGSAVE and BGREWRITEAOF) from the log and INFO, and that it recovered', async () => {
    const node = local.nodes[1]!;
    const topology = topologyOf(1);
    const client = topology.pool.get(node.address);
    const cgroup = pidsCgroup(node.pid!);
    if (cgroup === undefined) return; // cgroups not writable here
    try {
      await client.call(['BGSAVE']).catch(() => undefined);
      await client.call(['BGREWRITEAOF']).catch(() => undefined);
      await wait(async () => (await client.info('persistence'))['rdb_last_bgsave_status'] === 'err');
    } finally {
      cgroup.release();
    }
    const findings = await diagnose(topology, { logFiles: logsOf(local) });
    const fork = findings.find((f) => f.code === 'fork-failed');
    expect(fork).toMatchObject({ severity: 'error', section: '4, 24.6', address: node.address });
    expect(fork?.evidence).toMatch(/Can't save in background: fork: Resource temporarily unavailable/);
    expect(findings.find((f) => f.code === 'aof-rewrite-failed')?.evidence).toMatch(/Can't rewrite append only file in background: fork: /);
    expect(findings.find((f) => f.code === 'bgsave-error')?.evidence).toContain('rdb_last_bgsave_status:err');
    await client.call(['BGSAVE']);
    await wait(async () => (await client.info('persistence'))['rdb_last_bgsave_status'] === 'ok');
    await wait(async () => readFileSync(node.logFile, 'utf8').includes('Background saving terminated with success'));
    const after = await diagnose(topology, { logFiles: logsOf(local) });
    expect(after.find((f) => f.code === 'fork-failed')?.severity).toBe('info');
    expect(after.some((f) => f.code === 'bgsave-error')).toBe(false);
  });

  it('reports writes refused at maxmemory (OOM command not allowed) from INFO', async () => {
    const node = local.nodes[2]!;
    const topology = topologyOf(2);
    const client = topology.pool.get(node.address);
    await client.call(['CLUSTER', 'ADDSLOTSRANGE', 0, 16383]); // a one-node cluster serves writes
    await wait(async () => (await client.clusterInfo())['cluster_state'] === 'ok');
    const used = Number((await client.info('memory'))['used_memory']);
    await client.configSet('maxmemory-policy', 'noeviction');
    await client.configSet('maxmemory', String(used + 256 * 1024));
    let refused: unknown;
    for (let i = 0; refused === undefined && i < 200; i++) {
      refused = await client.call(['SET', `k${i}`, 'x'.repeat(16 * 1024)]).then(() => undefined, (error: unknown) => error);
    }
    expect(String(refused)).toMatch(/OOM command not allowed/);
    const oom = (await diagnose(topology)).find((f) => f.code === 'oom-rejected');
    expect(oom).toMatchObject({ severity: 'error', section: '7', address: node.address });
    expect(oom?.evidence).toMatch(/errorstat_OOM:count=\d+; used_memory:\d+ maxmemory:\d+ maxmemory_policy:noeviction \(at the limit now\)/);
    await client.configSet('maxmemory', '0');
  });

  it('reports a BGSAVE child killed with signal 9, as the OOM killer does', async () => {
    const node = local.nodes[2]!; // holds the keys the OOM test wrote
    const topology = topologyOf(2);
    const client = topology.pool.get(node.address);
    await client.configSet('rdb-key-save-delay', '200000'); // 0.2 s per key: the child lives long enough to be killed
    await client.call(['BGSAVE']);
    let child = '';
    await wait(async () => {
      child = spawnSync('pgrep', ['-P', String(node.pid)], { encoding: 'utf8' }).stdout.trim().split('\n')[0] ?? '';
      return child !== '';
    });
    process.kill(Number(child), 'SIGKILL');
    await wait(async () => (await client.info('persistence'))['rdb_bgsave_in_progress'] === '0');
    await client.configSet('rdb-key-save-delay', '0');
    const findings = await diagnose(topology, { logFiles: logsOf(local) });
    expect(findings.find((f) => f.code === 'bgsave-killed')).toMatchObject({ severity: 'error', section: '4, 24.6' });
    expect(findings.find((f) => f.code === 'bgsave-killed')?.evidence).toMatch(/Background saving terminated by signal 9.*the kernel OOM killer/);
  });

  it.skipIf(!isRoot)('reports AOF write errors on a full disk (a 1 MB tmpfs) with the AOF remedy', async () => {
    const mount = mkdtempSync(join(tmpdir(), 'rco-full-'));
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mount]).status !== 0) {
      rmSync(mount, { recursive: true, force: true });
      return; // mounting is not permitted here
    }
    const node = local.nodes[3]!;
    const topology = topologyOf(3);
    const client = topology.pool.get(node.address);
    try {
      await client.call(['CLUSTER', 'ADDSLOTSRANGE', 0, 16383]);
      await wait(async () => (await client.clusterInfo())['cluster_state'] === 'ok');
      await client.configSet('dir', mount);
      await client.configSet('appendonly', 'yes');
      await wait(async () => (await client.info('persistence'))['aof_rewrite_in_progress'] === '0' && (await client.info('persistence'))['aof_enabled'] === '1');
      for (let batch = 0; batch < 20 && (await client.info('persistence'))['aof_last_write_status'] !== 'err'; batch++) {
        await Promise.all(Array.from({ length: 16 }, (_, i) => client.call(['SET', `k${batch}:${i}`, 'x'.repeat(8 * 1024)]).catch(() => undefined)));
      }
      const findings = await diagnose(topology, { logFiles: logsOf(local) });
      const aof = findings.find((f) => f.code === 'aof-write-error');
      expect(aof).toMatchObject({ severity: 'error', address: node.address });
      expect(aof?.evidence).toContain('aof_last_write_status:err');
      expect(aof?.evidence).toMatch(/Short write while writing to the AOF file|Error writing to the AOF file: No space left on device/);
      expect(aof?.remedy).toMatch(/Free space on the filesystem of dir/);
      expect(findings.some((f) => f.code === 'bgsave-error')).toBe(false);
    } finally {
      await local.killNode(node.address);
      execFileSync('umount', ['-l', mount]);
      rmSync(mount, { recursive: true, force: true });
    }
  });
});

describe('Doctor on a cluster that lost a slot (CLUSTERDOWN)', () => {
  let local: LocalCluster;
  let topology: ClusterTopology;
  beforeAll(async () => {
    local = await LocalCluster.start({ masters: 3, replicasPerMaster: 0, nodeTimeoutMs: 1000 });
    topology = local.topology();
  });
  afterAll(async () => {
    await topology?.close();
    await local?.stop();
  });

  it('reports cluster_state:fail, the uncovered slot and the log line, then nothing once it is covered again', async () => {
    const state = await topology.refresh();
    const owner = state.masters.find((m) => m.slots.has(0))!;
    for (const node of state.nodes) await topology.pool.get(node.address).call(['CLUSTER', 'DELSLOTS', 0]).catch(() => undefined);
    await wait(async () => (await topology.pool.get(owner.address).clusterInfo())['cluster_state'] === 'fail');
    await wait(async () => readFileSync(local.nodes.find((n) => n.address === owner.address)!.logFile, 'utf8').includes('Cluster state changed: fail'));
    const findings = await diagnose(topology, { logFiles: logsOf(local) });
    const down = findings.filter((f) => f.code === 'cluster-down');
    expect(down.find((f) => f.address === owner.address)).toMatchObject({ severity: 'error', section: '7, 13, 14' });
    expect(down.find((f) => f.address === owner.address)?.evidence).toContain('CLUSTER INFO: cluster_state:fail');
    expect(down.find((f) => f.address === owner.address)?.evidence).toMatch(/# Cluster state changed: fail \(no "Cluster state changed: ok" since\)/);
    expect(findings.find((f) => f.code === 'uncovered-slots')).toMatchObject({ severity: 'error', evidence: expect.stringContaining('1 slot(s) have no owner (0)') });

    await topology.pool.get(owner.address).call(['CLUSTER', 'ADDSLOTS', 0]);
    await wait(async () => {
      const views = await Promise.all(state.nodes.map(async (n) => (await topology.pool.get(n.address).clusterInfo())['cluster_state']));
      return views.every((s) => s === 'ok');
    });
    const after: Finding[] = await diagnose(topology, { logFiles: logsOf(local) });
    expect(after.filter((f) => f.code === 'cluster-down').every((f) => f.severity === 'info')).toBe(true);
    expect(after.some((f) => f.code === 'uncovered-slots')).toBe(false);
  });

  it('rewords a FLUSHALL remedy for a node where rename-command disabled it', async () => {
    const plain = await local.startNode();
    const renamed = await local.startNode({ config: { 'rename-command': 'FLUSHALL ""' } });
    for (const candidate of [plain, renamed]) await topology.pool.get(candidate).call(['CLUSTER', 'ADDSLOTS', 5]);
    const findings = await diagnose(topology, { candidates: [plain, renamed] });
    const stale = findings.filter((f) => f.code === 'stale-cluster-config');
    expect(stale).toHaveLength(2);
    expect(stale.find((f) => f.address === `${plain.host}:${plain.port}`)?.remedy).toContain('FLUSHALL only if its data is disposable');
    const reworded = stale.find((f) => f.address === `${renamed.host}:${renamed.port}`)?.remedy;
    expect(reworded).toContain('FLUSHALL is disabled on this node (rename-command, section 20)');
    expect(reworded).not.toContain('FLUSHALL only if');
  });
});
