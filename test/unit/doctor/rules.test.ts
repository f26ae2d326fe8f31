import { describe, expect, it } from 'vitest';
import { REMEDIES, RUNBOOK_SECTIONS, logFindings, parseLogLine, type FindingCode } from '../../../src/index';
import { VERSIONS, fixture, node } from './log-fixtures';

/** Each symptom, the lines that show it, and the finding they must give. */
const SYMPTOMS: ReadonlyArray<[FindingCode, RegExp]> = [
  ['overcommit-zero', /WARNING (overcommit_memory is set to 0|Memory overcommit must be enabled)/],
  ['tcp-backlog-over-somaxconn', /The TCP backlog setting of \d+ cannot be enforced/],
  ['thp-enabled', /Transparent Huge Pages \(THP\) support enabled/],
  ['open-files-limit', /maxclients has been reduced/],
  ['open-files-limit', /Accepting client connection: Too many open files/],
  ['fork-failed', /Can't save in background: fork: /],
  ['aof-rewrite-failed', /Can't rewrite append only file in background: fork: /],
  ['aof-rewrite-failed', /Background AOF rewrite terminated by signal 9/],
  ['bgsave-killed', /Background saving terminated by signal 9/],
  ['aof-write-error', /Short write while writing to the AOF file/],
  ['aof-write-error', /Error writing to the AOF file: No space left on device/],
  ['replica-sync-timeout', /Timeout receiving bulk data from (MASTER|PRIMARY)/],
  ['replica-sync-timeout', /(MASTER|PRIMARY) timeout: no data nor PING received/],
  ['failover-blocked', /can't vote about this (master|primary)/],
  ['failover-blocked', /Disconnected from (master|primary) for longer than allowed/],
  ['cluster-down', /Cluster state changed: fail/],
  ['lack-of-backlog', /for lack of backlog/],
  ['replication-loop', /Unable to partial resync with replica \S+ for lack of backlog/],
];

describe.each(VERSIONS)('doctor log rules on lines written by %s', (version) => {
  const lines = fixture(version);

  it('parses every line: pid, role, timestamp, level, message', () => {
    for (const line of lines) {
      const entry = parseLogLine(line);
      expect(entry.time, line).toBeTypeOf('number');
      expect(entry.level, line).toMatch(/^(notice|warning)$/);
    }
  });

  it.each(SYMPTOMS.map(([code, pattern]) => [code, pattern.source, pattern] as const))('%s from /%s/', (code, _source, pattern) => {
    const seen = lines.filter((line) => pattern.test(line));
    expect(seen.length, `no line matches in ${version}`).toBeGreaterThan(0);
    const found = logFindings(node({ logLines: seen })).filter((f) => f.code === code);
    // One finding per symptom; a replication loop is reported per replica.
    expect(found.length, JSON.stringify(logFindings(node({ logLines: seen })), null, 1)).toBeGreaterThan(0);
    if (code !== 'replication-loop') expect(found).toHaveLength(1);
    expect(found[0]?.remedy).toBe(REMEDIES[code]);
    expect(found[0]?.section).toBe(RUNBOOK_SECTIONS[code]);
    expect(found[0]?.window?.count).toBeGreaterThan(0);
  });

  it('gives the AOF write error its own remedy, not the bgsave one', () => {
    const found = logFindings(node({ logLines: lines.filter((l) => /AOF file/.test(l)) }));
    expect(found.map((f) => f.code)).toEqual(['aof-write-error']);
    expect(found[0]?.remedy).toMatch(/Free space on the filesystem of dir/);
    expect(found[0]?.remedy).not.toBe(REMEDIES['bgsave-error']);
  });

  it('tells a fork refused for memory from one refused by a process limit in the evidence', () => {
    const found = logFindings(node({ logLines: lines.filter((l) => /Can't save in background/.test(l)) }));
    expect(found[0]?.evidence).toMatch(/Cannot allocate memory/);
    expect(found[0]?.remedy).toMatch(/overcommit_memory = 1/);
  });
});

describe('doctor log rules on the first 7.0.15 fixture', () => {
  const lines = fixture('redis-7.0.15');
  it('reads output buffer overruns, slow fsyncs and a failed save, each with its section', () => {
    const found = logFindings(node({ logLines: lines.filter((l) => /output buffer limits|fsync is taking too long|Background saving error|Failed opening the temp RDB/.test(l)) }));
    expect(found.map((f) => f.code).sort()).toEqual(['aof-fsync-slow', 'bgsave-error', 'output-buffer-overrun']);
    for (const finding of found) expect(finding.remedy).toMatch(/^24\.\d/);
  });

  it('suspects a corrupt AOF when a down node never got ready after its last start', () => {
    const log = ['1:M 24 Nov 2026 10:00:00.000 * Server initialized', '1:M 24 Nov 2026 10:00:00.001 * Reading RDB base file on AOF loading...'];
    expect(logFindings(node({ reachable: false, logLines: log }))[0]).toMatchObject({ code: 'aof-corrupt', severity: 'warning' });
    expect(logFindings(node({ reachable: true, logLines: log }))).toEqual([]);
  });
});
