import { describe, expect, it } from 'vitest';
import { clusterFindings, hostFindings, nodeFindings, type CheckReport } from '../../../src/index';
import { node } from './log-fixtures';

const codes = (findings: { code: string }[]): string[] => findings.map((f) => f.code).sort();

describe('doctor INFO and CONFIG rules', () => {
  it('reads MISCONF, delayed fsyncs, full syncs and refused partial syncs from INFO (as rates over the uptime)', () => {
    const info = { rdb_last_bgsave_status: 'err', aof_delayed_fsync: '3', sync_full: '5', connected_slaves: '1', sync_partial_err: '3', uptime_in_seconds: '600' };
    expect(codes(nodeFindings(node({ info }), {}))).toEqual(['aof-fsync-slow', 'bgsave-error', 'lack-of-backlog', 'replication-loop']);
    // The same counters after 30 days of uptime are routine resyncs.
    expect(codes(nodeFindings(node({ info: { ...info, uptime_in_seconds: String(30 * 86400) } }), {}))).toEqual(['aof-fsync-slow', 'bgsave-error']);
  });

  it('gives AOF write and AOF rewrite failures their own codes', () => {
    expect(codes(nodeFindings(node({ info: { aof_last_write_status: 'err', aof_last_bgrewrite_status: 'err', aof_enabled: '1' } }), {}))).toEqual(['aof-rewrite-failed', 'aof-write-error']);
  });

  it('reads OOM rejections (errorstat_OOM, used_memory at maxmemory) and says whether memory is still full', () => {
    const full = nodeFindings(node({ info: { errorstat_OOM: 'count=12', used_memory: '1100000', maxmemory: '1048576', maxmemory_policy: 'noeviction' } }), {});
    expect(full[0]).toMatchObject({ code: 'oom-rejected', severity: 'error', section: '7' });
    expect(full[0]?.evidence).toContain('errorstat_OOM:count=12');
    const past = nodeFindings(node({ info: { errorstat_OOM: 'count=12', used_memory: '500000', maxmemory: '1048576', maxmemory_policy: 'noeviction' } }), {});
    expect(past[0]).toMatchObject({ code: 'oom-rejected', severity: 'warning' });
    // Redis 5.0 has no errorstats: at the limit with noeviction is enough.
    expect(codes(nodeFindings(node({ info: { used_memory: '1048577', maxmemory: '1048576', maxmemory_policy: 'noeviction' } }), {}))).toEqual(['oom-rejected']);
    expect(nodeFindings(node({ info: { used_memory: '1048577', maxmemory: '0', maxmemory_policy: 'noeviction' } }), {})).toEqual([]);
  });

  it('reads master_link_status:down, slow forks and rejected connections', () => {
    const found = nodeFindings(
      node({
        role: 'replica',
        config: { maxclients: '10000' },
        info: { role: 'slave', master_link_status: 'down', master_link_down_since_seconds: '42', master_host: '10.0.0.2', master_port: '6381', latest_fork_usec: '1200000', rejected_connections: '30', uptime_in_seconds: '7200' },
      }),
      {},
    );
    expect(codes(found)).toEqual(['fork-slow', 'master-link-down', 'rejected-connections']);
    expect(found.find((f) => f.code === 'master-link-down')?.evidence).toContain('for 42 s (master 10.0.0.2:6381');
    expect(found.find((f) => f.code === 'rejected-connections')?.evidence).toContain('15.0/h');
    expect(nodeFindings(node({ info: { latest_fork_usec: '20000', role: 'slave', master_link_status: 'up' } }), {})).toEqual([]);
  });

  it('compares tcp-backlog with somaxconn only when the host read is the node\'s, and says where it was read', () => {
    const host = { somaxconn: 4096, source: 'this machine (ci, the one running this program)' };
    expect(nodeFindings(node({ config: { 'tcp-backlog': '32767' }, hostRead: true }), host)[0]?.evidence).toBe('tcp-backlog 32767 > net.core.somaxconn 4096 (read on this machine (ci, the one running this program))');
    expect(nodeFindings(node({ config: { 'tcp-backlog': '32767' }, hostRead: false }), host)).toEqual([]);
    expect(nodeFindings(node({ config: { 'tcp-backlog': '32767' } }), { somaxconn: 32767 })).toEqual([]);
  });

  it('flags THP, overcommit 0 and overcommit 2 on the host, naming the machine and its nodes', () => {
    expect(codes(hostFindings({ thp: 'always', overcommit: 0 }))).toEqual(['overcommit-zero', 'thp-enabled']);
    const strict = hostFindings({ overcommit: 2, source: 'this machine (ci, the one running this program)' }, ['127.0.0.1:7001']);
    expect(strict).toEqual([expect.objectContaining({ code: 'overcommit-strict', evidence: 'vm.overcommit_memory = 2 (read on this machine (ci, the one running this program), where 127.0.0.1:7001 run)' })]);
    expect(hostFindings({ thp: 'never', overcommit: 1 })).toEqual([]);
  });

  it('reports an unreachable node and nothing else about it', () => {
    expect(codes(nodeFindings(node({ reachable: false, info: { rdb_last_bgsave_status: 'err' } }), {}))).toEqual(['node-unreachable']);
  });

  it('turns check()\'s cluster-state-fail and uncovered-slots into CLUSTERDOWN findings', () => {
    const report: CheckReport = {
      ok: false,
      problems: [
        { code: 'uncovered-slots', severity: 'error', message: 'Not all 16384 slots are covered by nodes: 1 slot(s) have no owner (0).', slots: '0' },
        { code: 'cluster-state-fail', severity: 'error', message: 'Node 127.0.0.1:7001 reports cluster_state:fail.', nodeId: 'b'.repeat(40), address: '127.0.0.1:7001' },
        { code: 'node-suspected', severity: 'warning', message: 'ignored here' },
      ],
      summary: { masters: 3, replicas: 0, coveredSlots: 16383, reachable: 3, unreachable: 0 },
    };
    const found = clusterFindings(report);
    expect(found.map((f) => [f.code, f.severity, f.section])).toEqual([
      ['uncovered-slots', 'error', '14, 16'],
      ['cluster-down', 'error', '7, 13, 14'],
    ]);
    expect(found[1]?.evidence).toBe('CLUSTER INFO: cluster_state:fail. (commands get CLUSTERDOWN)');
  });
});
