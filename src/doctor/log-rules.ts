import { REMEDIES, type Finding, type FindingCode } from './finding';
import type { NodeEvidence } from './evidence';

/** Pure: findings from one node's log lines (the phrases Redis 7.0 writes). */
export function logFindings(node: NodeEvidence): Finding[] {
  const findings: Finding[] = [];
  const lines = node.logLines;
  const first = (pattern: RegExp): string | undefined => lines.find((line) => pattern.test(line));
  const count = (pattern: RegExp): number => lines.filter((line) => pattern.test(line)).length;
  const add = (code: FindingCode, severity: Finding['severity'], evidence: string): void => {
    findings.push({ code, severity, ...(node.nodeId === undefined ? {} : { nodeId: node.nodeId }), address: node.address, evidence, remedy: REMEDIES[code] });
  };

  const badAof = first(/Bad file format reading the append only file|Unexpected end of file reading the append only file|Invalid AOF manifest|AOF.*is not valid/);
  if (badAof !== undefined) add('aof-corrupt', 'error', badAof.trim());
  else if (!node.reachable && lines.length > 0) {
    // Stuck after start: the last start never reached "Ready to accept connections".
    const lastStart = lines.map((line, i) => (/Server initialized|Redis version=/.test(line) ? i : -1)).filter((i) => i >= 0).pop();
    if (lastStart !== undefined && !lines.slice(lastStart).some((line) => line.includes('Ready to accept connections'))) {
      add('aof-corrupt', 'warning', `the node is down and its last start never reached "Ready to accept connections" (last line: ${(lines[lines.length - 1] ?? '').trim()}); a corrupt AOF is the usual cause`);
    }
  }
  const busy = first(/Slot \d+ is already busy/);
  if (busy !== undefined) add('stale-cluster-config', 'error', busy.trim());
  const backlog = first(/for lack of backlog/);
  if (backlog !== undefined) add('lack-of-backlog', 'warning', `${count(/for lack of backlog/)}x: ${backlog.trim()}`);
  const overrun = first(/scheduled to be closed ASAP for overcoming of output buffer limits/);
  if (overrun !== undefined) add('output-buffer-overrun', 'warning', `${count(/overcoming of output buffer limits/)}x: ${overrun.trim()}`);
  const fullSyncs = count(/Full resync requested by replica|Starting BGSAVE for SYNC|Unable to partial resync/);
  if (fullSyncs >= 3) add('replication-loop', 'error', `${fullSyncs} full resyncs in the log (e.g. ${first(/Starting BGSAVE for SYNC|Full resync requested/)?.trim() ?? ''})`);
  const fsync = first(/Asynchronous AOF fsync is taking too long/);
  if (fsync !== undefined) add('aof-fsync-slow', 'warning', `${count(/Asynchronous AOF fsync is taking too long/)}x: ${fsync.trim()}`);
  const saveError = first(/Background saving error|Failed opening the temp RDB file|Write error saving DB on disk|MISCONF/);
  if (saveError !== undefined) add('bgsave-error', 'error', saveError.trim());
  const granted = count(/Failover auth granted to/);
  if (granted >= 3) add('failover-auth-repeated', 'warning', `${granted}x "Failover auth granted to", last: ${lines.filter((l) => l.includes('Failover auth granted to')).pop()?.trim() ?? ''}`);
  return findings;
}
