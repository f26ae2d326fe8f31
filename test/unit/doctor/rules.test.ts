import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REMEDIES, hostFindings, logFindings, nodeFindings, type NodeEvidence } from '../../../src/index';

const lines = readFileSync('test/fixtures/doctor/redis-7.0.15.log', 'utf8').split('\n');
const node = (patch: Partial<NodeEvidence> = {}): NodeEvidence => ({ nodeId: 'a'.repeat(40), address: '10.0.0.1:6381', role: 'master', reachable: true, info: {}, config: {}, logLines: [], ...patch });

describe('doctor log rules (lines written by redis-server 7.0.15)', () => {
  it('reads every symptom of section 24 from the log, each with its remedy', () => {
    const found = logFindings(node({ logLines: lines }));
    const byCode = Object.fromEntries(found.map((f) => [f.code, f]));
    expect(Object.keys(byCode).sort()).toEqual(['aof-fsync-slow', 'bgsave-error', 'lack-of-backlog', 'output-buffer-overrun', 'replication-loop'].sort());
    expect(byCode['lack-of-backlog']?.evidence).toMatch(/^2x: .*for lack of backlog/);
    expect(byCode['aof-fsync-slow']?.remedy).toBe(REMEDIES['aof-fsync-slow']);
    for (const finding of found) expect(finding.remedy).toMatch(/^24\.\d/);
  });

  it('needs three "Failover auth granted" lines to call it repeating', () => {
    const granted = lines.filter((l) => l.includes('Failover auth granted'));
    expect(logFindings(node({ logLines: granted })).map((f) => f.code)).toEqual([]);
    expect(logFindings(node({ logLines: [...granted, granted[0]!] })).map((f) => f.code)).toEqual(['failover-auth-repeated']);
  });

  it('suspects a corrupt AOF when a down node never got ready after its last start', () => {
    const log = ['1:M 24 Nov 2026 10:00:00.000 * Server initialized', '1:M 24 Nov 2026 10:00:00.001 * Reading RDB base file on AOF loading...'];
    expect(logFindings(node({ reachable: false, logLines: log }))[0]).toMatchObject({ code: 'aof-corrupt', severity: 'warning' });
    expect(logFindings(node({ reachable: true, logLines: log }))).toEqual([]);
  });
});

describe('doctor INFO, CONFIG and host rules', () => {
  it('reads MISCONF, delayed fsyncs, full syncs and refused partial syncs from INFO', () => {
    const found = nodeFindings(node({ info: { rdb_last_bgsave_status: 'err', aof_delayed_fsync: '3', sync_full: '5', connected_slaves: '1', sync_partial_err: '3' } }), {});
    expect(found.map((f) => f.code).sort()).toEqual(['aof-fsync-slow', 'bgsave-error', 'lack-of-backlog', 'replication-loop']);
  });

  it('compares tcp-backlog with somaxconn, and flags THP and overcommit 0', () => {
    expect(nodeFindings(node({ config: { 'tcp-backlog': '32767' } }), { somaxconn: 4096 })[0]?.code).toBe('tcp-backlog-over-somaxconn');
    expect(nodeFindings(node({ config: { 'tcp-backlog': '32767' } }), { somaxconn: 32767 })).toEqual([]);
    expect(hostFindings({ thp: 'always', overcommit: 0 }).map((f) => f.code)).toEqual(['thp-enabled', 'overcommit-zero']);
    expect(hostFindings({ thp: 'never', overcommit: 1 })).toEqual([]);
  });

  it('reports an unreachable node and nothing else about it', () => {
    expect(nodeFindings(node({ reachable: false, info: { rdb_last_bgsave_status: 'err' } }), {}).map((f) => f.code)).toEqual(['node-unreachable']);
  });
});
