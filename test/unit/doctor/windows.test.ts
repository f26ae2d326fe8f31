import { describe, expect, it } from 'vitest';
import { densestBurst, logFindings, parseLogLine } from '../../../src/index';
import { at, fixture, node } from './log-fixtures';

const lines = fixture('redis-7.0.15');
const first = (pattern: RegExp): string => {
  const line = lines.find((l) => pattern.test(l));
  if (line === undefined) throw new Error(`no fixture line for ${pattern}`);
  return line;
};
const codes = (log: string[], patch = {}): string[] => logFindings(node({ logLines: log, ...patch })).map((f) => f.code);

describe('doctor: time windows and rates, not counts over a whole file', () => {
  const lackOfBacklog = first(/Unable to partial resync with replica 127\.0\.0\.1:33450 for lack of backlog/);
  const fullFromMaster = first(/Full resync from master/);
  const granted = first(/Failover auth granted to/);
  const lost = first(/Connection with master lost/);

  it('two normal full syncs of a replica are no replication loop; three within 30 minutes are', () => {
    expect(codes([at(lackOfBacklog, '25 Nov 2026 10:00:00.000'), at(lackOfBacklog, '25 Nov 2026 10:05:00.000')])).not.toContain('replication-loop');
    expect(codes([at(fullFromMaster, '25 Nov 2026 10:00:00.000'), at(fullFromMaster, '25 Nov 2026 10:07:00.000')])).toEqual([]);
    const loop = logFindings(node({ logLines: ['10:00:00.000', '10:09:00.000', '10:21:00.000'].map((t) => at(lackOfBacklog, `25 Nov 2026 ${t}`)) }));
    const finding = loop.find((f) => f.code === 'replication-loop');
    expect(finding?.severity).toBe('error');
    expect(finding?.evidence).toMatch(/^full resyncs of replica 127\.0\.0\.1:33450: 3 in 21\.0 min \(25 Nov 2026 10:00:00\.000 - 25 Nov 2026 10:21:00\.000\)/);
    expect(finding?.window).toEqual({ count: 3, first: '25 Nov 2026 10:00:00.000', last: '25 Nov 2026 10:21:00.000' });
    // The same three spread over a day are three routine resyncs.
    expect(codes(['01:00:00.000', '09:00:00.000', '17:00:00.000'].map((t) => at(lackOfBacklog, `25 Nov 2026 ${t}`)))).not.toContain('replication-loop');
  });

  it('counts full resyncs per replica: one each for three replicas is no loop', () => {
    const three = ['127.0.0.1:1001', '127.0.0.1:1002', '127.0.0.1:1003'].map((replica, i) => at(lackOfBacklog.replace('127.0.0.1:33450', replica), `25 Nov 2026 10:0${i}:00.000`));
    expect(codes(three)).not.toContain('replication-loop');
  });

  it('three routine "Failover auth granted" across hours are no storm; three within minutes are', () => {
    expect(codes(['09:00:00.000', '12:30:00.000', '16:45:00.000'].map((t) => at(granted, `25 Nov 2026 ${t}`)))).toEqual([]);
    const storm = logFindings(node({ logLines: ['09:00:00.000', '09:02:10.000', '09:04:30.000'].map((t) => at(granted, `25 Nov 2026 ${t}`)) }));
    expect(storm.map((f) => f.code)).toEqual(['failover-auth-repeated']);
    expect(storm[0]?.evidence).toContain('3 in 4.5 min');
  });

  it('lost links: four in an hour is noise, five within two minutes is a finding', () => {
    expect(codes(['10:00', '10:15', '10:30', '10:45'].map((t) => at(lost, `25 Nov 2026 ${t}:00.000`)))).toEqual([]);
    expect(codes(['10:00', '10:00', '10:01', '10:01', '10:02'].map((t, i) => at(lost, `25 Nov 2026 ${t}:0${i}.000`)))).toEqual(['connection-lost']);
  });

  it('a single refused partial resync is not yet "lack of backlog"', () => {
    expect(codes([lackOfBacklog])).toEqual([]);
  });

  it('a save child killed by redis itself (SIGUSR1) is no failure; SIGKILL is', () => {
    const killed = first(/Background saving terminated by signal 9/);
    expect(codes([killed.replace('signal 9', 'signal 10')])).toEqual([]);
    expect(logFindings(node({ logLines: [killed] }))[0]?.evidence).toContain('signal 9: the kernel OOM killer');
  });

  it('a failure that a later line shows recovered is info, not an error', () => {
    const failed = first(/Background saving error/);
    const success = '1455:M 24 Nov 2026 20:45:00.000 * Background saving terminated with success';
    expect(logFindings(node({ logLines: [failed] }))[0]).toMatchObject({ code: 'bgsave-error', severity: 'error' });
    expect(logFindings(node({ logLines: [failed, success] }))[0]).toMatchObject({ code: 'bgsave-error', severity: 'info' });
    const short = first(/Short write while writing to the AOF/);
    const solved = '20832:M 25 Nov 2026 14:18:00.000 * AOF write error looks solved, Redis can write again.';
    expect(logFindings(node({ logLines: [short, solved] }))[0]).toMatchObject({ code: 'aof-write-error', severity: 'info' });
  });

  it('"Cluster state changed: fail" with no later ok is CLUSTERDOWN; followed by ok, or with CLUSTER INFO ok now, it is history', () => {
    const fail = first(/Cluster state changed: fail/);
    const ok = at(first(/Cluster state changed: ok/), '25 Nov 2026 23:59:00.000');
    expect(logFindings(node({ logLines: [fail] }))[0]).toMatchObject({ code: 'cluster-down', severity: 'error' });
    expect(logFindings(node({ logLines: [fail, ok] }))[0]).toMatchObject({ code: 'cluster-down', severity: 'info' });
    expect(logFindings(node({ logLines: [fail], clusterInfo: { cluster_state: 'ok' } }))[0]).toMatchObject({ code: 'cluster-down', severity: 'info' });
  });

  it('one "Currently unable to failover: Waiting for votes" during a failover is routine', () => {
    expect(codes([first(/Currently unable to failover: Waiting for votes/)])).toEqual([]);
  });

  it('startup warnings count from the last start only', () => {
    const warning = first(/WARNING Memory overcommit must be enabled/);
    const banner = first(/Redis version=/);
    expect(codes([warning, at(banner, '25 Nov 2026 23:00:00.000')])).toEqual([]);
    expect(codes([banner, warning])).toEqual(['overcommit-zero']);
  });

  it('densestBurst finds the densest window and ignores lines without a timestamp', () => {
    const entries = ['10:00:00', '10:20:00', '10:21:00', '10:22:00', '11:30:00'].map((t, i) => parseLogLine(`1:M 25 Nov 2026 ${t}.000 # x`, i));
    expect(densestBurst(entries, 5 * 60_000, 3)).toMatchObject({ count: 3, spanMs: 120_000 });
    expect(densestBurst(entries, 60_000, 3)).toBeUndefined();
    expect(densestBurst([parseLogLine('no timestamp here'), parseLogLine('nor here')], 60_000, 1)).toBeUndefined();
  });
});
