import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterTopology, FailoverController, LocalCluster, advise, diagnose, keySlot, type Finding } from '../../src/index';
import { pollUntil } from '../../src/util/poll';
import { startLocalCluster } from '../helpers/test-cluster';

const codes = (findings: Finding[]): string[] => findings.map((f) => f.code);
const logsOf = (local: LocalCluster): Record<string, string> => Object.fromEntries(local.nodes.map((n) => [n.address, n.logFile]));

/** A tag whose keys land in a slot `slots` contains. */
function tagIn(has: (slot: number) => boolean): string {
  for (let i = 0; ; i++) if (has(keySlot(`t${i}`))) return `t${i}`;
}

describe('Doctor.diagnose on real redis-server processes', () => {
  let local: LocalCluster;
  let topology: ClusterTopology;
  const hostRoot = mkdtempSync(join(tmpdir(), 'rco-doctor-host-'));

  beforeAll(async () => {
    local = await startLocalCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 2000, config: { appendonly: 'yes', 'enable-protected-configs': 'yes' } });
    topology = local.topology();
    const write = (path: string, text: string): void => {
      mkdirSync(dirname(join(hostRoot, path)), { recursive: true });
      writeFileSync(join(hostRoot, path), text);
    };
    write('/proc/sys/net/core/somaxconn', '128\n');
    write('/proc/sys/vm/overcommit_memory', '0\n');
    write('/sys/kernel/mm/transparent_hugepage/enabled', '[always] madvise never\n');
  });
  afterAll(async () => {
    await topology?.close();
    await local?.stop();
    rmSync(hostRoot, { recursive: true, force: true });
  });

  it('finds host settings, full coverage, and master/replica on one host, each with its remedy', async () => {
    const state = await topology.refresh();
    await topology.pool.get(state.masters[0]!.address).configSet('cluster-require-full-coverage', 'yes');
    const findings = await diagnose(topology, { hostRoot });
    const found = codes(findings);
    for (const code of ['thp-enabled', 'overcommit-zero', 'tcp-backlog-over-somaxconn', 'full-coverage-required', 'replica-same-host']) expect(found).toContain(code);
    expect(findings.find((f) => f.code === 'full-coverage-required')).toMatchObject({ nodeId: state.masters[0]!.id, remedy: expect.stringContaining('section 7') });
    expect(findings.find((f) => f.code === 'tcp-backlog-over-somaxconn')?.evidence).toBe(`tcp-backlog 511 > net.core.somaxconn 128 (read on the host tree at ${hostRoot})`);
    await topology.pool.get(state.masters[0]!.address).configSet('cluster-require-full-coverage', 'no');
  });

  it('finds a failed background save (MISCONF) from INFO and the log', async () => {
    const state = await topology.refresh();
    const master = state.masters[1]!;
    const client = topology.pool.get(master.address);
    // Point the save at a directory that no longer exists: a real failed BGSAVE ("Background saving error").
    const gone = mkdtempSync(join(tmpdir(), 'rco-gone-'));
    const original = (await client.configGet('dir')).dir!;
    await client.configSet('dir', gone);
    rmSync(gone, { recursive: true, force: true });
    await client.call(['BGSAVE']).catch(() => undefined);
    await pollUntil(async () => ({ done: (await client.info('persistence'))['rdb_last_bgsave_status'] === 'err' }), { timeoutMs: 10_000, operation: 'test' });
    const findings = await diagnose(topology, { logFiles: logsOf(local) });
    const error = findings.find((f) => f.code === 'bgsave-error' && f.nodeId === master.id);
    expect(error?.evidence).toContain('rdb_last_bgsave_status:err');
    expect(error?.remedy).toMatch(/^24\.6/);
    expect(error?.evidence).toMatch(/Background saving error|Failed opening the temp RDB file/);
    await client.configSet('dir', original);
    await client.call(['BGSAVE']);
    await pollUntil(async () => ({ done: (await client.info('persistence'))['rdb_last_bgsave_status'] === 'ok' }), { timeoutMs: 10_000, operation: 'test' });
  });

  it('finds repeated "Failover auth granted" after several failovers', async () => {
    const failover = new FailoverController(topology);
    const start = await topology.refresh();
    const voter = start.masters[0]!; // never failed over: it votes every time
    const [one, two] = [start.masters[1]!, start.masters[2]!];
    const synced = async (id: string): Promise<void> => {
      const node = (await topology.refresh()).node(id)!;
      await pollUntil(async () => {
        const info = await topology.pool.get(node.address).info('replication');
        return { done: info['master_link_status'] === 'up' && info['master_sync_in_progress'] === '0' };
      }, { timeoutMs: 15_000, operation: 'test' });
    };
    for (const master of [one, two, one]) {
      const state = await topology.refresh();
      const current = state.node(master.id)!.role === 'master' ? master.id : state.node(master.id)!.masterId!;
      const replica = state.replicasOf(current)[0]!;
      await synced(replica.id);
      await failover.failover(replica.id);
    }
    const voterLog = readFileSync(local.nodes.find((n) => n.address === voter.address)!.logFile, 'utf8');
    expect(voterLog.split('Failover auth granted to').length - 1).toBeGreaterThanOrEqual(3);
    const findings = await diagnose(topology, { logFiles: logsOf(local) });
    expect(codes(findings)).toContain('failover-auth-repeated');
    expect(findings.find((f) => f.code === 'failover-auth-repeated')?.remedy).toMatch(/^24\.7/);
  });

  it('finds "for lack of backlog", output buffer overruns and a replication loop after write bursts', async () => {
    const state = await topology.refresh();
    const master = state.masters.find((m) => state.replicasOf(m.id).length > 0)!;
    const replica = state.replicasOf(master.id)[0]!;
    const client = topology.pool.get(master.address);
    const masterLog = local.nodes.find((n) => n.address === master.address)!.logFile;
    const overruns = (): number => readFileSync(masterLog, 'utf8').split('overcoming of output buffer limits').length - 1;
    const drops = (): number => readFileSync(masterLog, 'utf8').split('Connection with replica').length - 1;
    const replicaOnline = async (): Promise<void> => {
      await pollUntil(async () => ({ done: (await client.info('replication'))['slave0']?.includes('state=online') === true }), { timeoutMs: 20_000, operation: 'test' });
    };
    await client.configSet('repl-backlog-size', '16kb');
    await client.configSet('client-output-buffer-limit', 'replica 64kb 32kb 1');
    const tag = tagIn((slot) => master.slots.has(slot));
    const value = 'x'.repeat(16 * 1024);
    // A frozen replica reads nothing: once the socket buffers fill, the master's output buffer for it
    // passes the 64kb hard limit and the master drops it. On thaw it asks for a partial resync the
    // 16kb backlog cannot serve, so every round is a real overrun, a lack of backlog and a full resync.
    // A round whose thawed replica still finds its offset in the backlog resyncs partially (seen on 5.0):
    // go on until the master has refused three partial resyncs, the loop the doctor must call one.
    const refusals = (): number => readFileSync(masterLog, 'utf8').split('for lack of backlog').length - 1;
    for (let round = 0; refusals() < 3; round++) {
      if (round === 8) throw new Error(`only ${refusals()} partial resyncs refused after 8 rounds`);
      await replicaOnline();
      const before = overruns();
      const dropsBefore = drops();
      await local.freezeNode(replica.address);
      try {
        for (let burst = 0; overruns() === before; burst++) {
          if (burst === 40) throw new Error('the master never dropped the frozen replica');
          await client.pipeline(Array.from({ length: 64 }, (_, i) => ['SET', `{${tag}}:${round}:${burst}:${i}`, value]));
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      } finally {
        await local.thawNode(replica.address);
      }
      // "Scheduled to be closed ASAP" closes a moment later (later still on Redis 5.0): wait for the drop,
      // so the next round does not see the old link still online and freeze a replica that is gone.
      await pollUntil(async () => ({ done: drops() > dropsBefore }), { timeoutMs: 20_000, operation: 'test' });
    }
    await replicaOnline();
    const findings = await diagnose(topology, { logFiles: logsOf(local) });
    const mine = findings.filter((f) => f.nodeId === master.id);
    expect(codes(mine)).toContain('output-buffer-overrun');
    expect(codes(mine)).toContain('lack-of-backlog');
    expect(codes(mine)).toContain('replication-loop');
    expect(mine.find((f) => f.code === 'lack-of-backlog')?.remedy).toMatch(/repl-backlog-size/);
    await client.configSet('client-output-buffer-limit', 'replica 256mb 64mb 60');
    await client.configSet('repl-backlog-size', '1mb');
  });

  it('finds a node that will not start because its AOF is corrupt', async () => {
    const state = await topology.refresh();
    const replica = state.replicas[0]!;
    const node = local.nodes.find((n) => n.address === replica.address)!;
    await local.killNode(replica.id, 'SIGKILL');
    // Redis 7.0+ keeps a multi-part AOF in appendonlydir/; before, one file in dir.
    const aofDir = join(node.dir, 'appendonlydir');
    const aofFile = existsSync(aofDir)
      ? join(aofDir, readdirSync(aofDir).find((f) => f.endsWith('.incr.aof')) ?? readdirSync(aofDir).find((f) => f.endsWith('.aof'))!)
      : join(node.dir, `appendonly-${node.port}.aof`);
    const text = readFileSync(aofFile);
    writeFileSync(aofFile, Buffer.concat([Buffer.from('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\ngarbage-not-resp\r\n'), text]));
    await expect(local.restartNode(replica.address)).rejects.toThrow();
    await pollUntil(async () => ({ done: (await topology.refresh()).node(replica.id)?.failed === true }), { timeoutMs: 20_000, operation: 'test' });
    const findings = await diagnose(topology, { logFiles: logsOf(local) });
    const corrupt = findings.find((f) => f.code === 'aof-corrupt');
    expect(corrupt?.evidence).toMatch(/Bad file format reading the append only file/);
    expect(corrupt?.remedy).toContain('redis-check-aof --fix');
    expect(codes(findings)).toContain('master-without-replica');
  });

  it('flags a candidate node with stale cluster state ("Slot N is already busy") and advises section-23 values', async () => {
    const candidate = await local.startNode();
    await topology.pool.get(candidate).call(['CLUSTER', 'ADDSLOTS', 1, 2, 3]);
    const findings = await diagnose(topology, { candidates: [candidate] });
    expect(findings.find((f) => f.code === 'stale-cluster-config')?.evidence).toContain('cluster_slots_assigned:3');
    const advice = await advise(topology, 'high-load');
    expect(advice.find((a) => a.directive === 'cluster-node-timeout')).toMatchObject({ live: '2000', wanted: '15000', reason: expect.stringContaining('section 23') });
    expect(advice.find((a) => a.directive === 'repl-timeout')).toBeUndefined(); // 60 live and wanted
    expect(advice.some((a) => a.directive === 'repl-backlog-size' && a.wanted === '1gb' && /section 23/.test(a.reason))).toBe(true);
    expect(advice.some((a) => a.directive === 'repl-ping-replica-period' && a.live === '10')).toBe(false);
  });
});
