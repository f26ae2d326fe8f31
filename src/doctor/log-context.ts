import type { NodeEvidence } from './evidence';
import { REMEDIES, sectionOf, type DoctorThresholds, type Finding, type FindingCode } from './finding';
import { densestBurst, describeBurst, type Burst, type LogEntry } from './log-line';

/** What a log rule sees: one node's parsed log and a way to add findings. */
export class LogRuleContext {
  readonly findings: Finding[] = [];

  constructor(
    readonly node: NodeEvidence,
    readonly entries: readonly LogEntry[],
    readonly thresholds: DoctorThresholds,
  ) {}

  matching(pattern: RegExp, from = 0): LogEntry[] {
    return this.entries.filter((entry) => entry.index >= from && pattern.test(entry.message));
  }

  /** The index of the last line that starts the server (its banner), or 0. */
  get lastStart(): number {
    const starts = this.entries.filter((entry) => /Redis version=|Valkey version=|(Redis|Valkey) is starting/.test(entry.message));
    return starts[starts.length - 1]?.index ?? 0;
  }

  add(code: FindingCode, severity: Finding['severity'], evidence: string, seen?: readonly LogEntry[]): void {
    const window = seen === undefined || seen.length === 0 ? undefined : { count: seen.length, ...stamps(seen[0] as LogEntry, seen[seen.length - 1] as LogEntry) };
    this.findings.push({
      code,
      severity,
      ...(this.node.nodeId === undefined ? {} : { nodeId: this.node.nodeId }),
      address: this.node.address,
      evidence,
      remedy: REMEDIES[code],
      section: sectionOf(code),
      ...(window === undefined ? {} : { window }),
    });
  }

  /** Adds a finding for a burst (count lines within a window). */
  addBurst(code: FindingCode, severity: Finding['severity'], what: string, burst: Burst): void {
    this.findings.push({
      code,
      severity,
      ...(this.node.nodeId === undefined ? {} : { nodeId: this.node.nodeId }),
      address: this.node.address,
      evidence: `${what}: ${describeBurst(burst)}, last: ${burst.last.raw.trim()}`,
      remedy: REMEDIES[code],
      section: sectionOf(code),
      window: { count: burst.count, ...stamps(burst.first, burst.last) },
    });
  }

  burst(entries: readonly LogEntry[], limit: { count: number; minutes: number }): Burst | undefined {
    return densestBurst(entries, limit.minutes * 60_000, limit.count);
  }
}

function stamps(first: LogEntry, last: LogEntry): { first?: string; last?: string } {
  return { ...(first.stamp === undefined ? {} : { first: first.stamp }), ...(last.stamp === undefined ? {} : { last: last.stamp }) };
}

/** "2x (24 Nov 2026 20:43:10.008 - 20:43:10.014): <first line>". */
export function summarize(entries: readonly LogEntry[]): string {
  const first = entries[0] as LogEntry;
  const last = entries[entries.length - 1] as LogEntry;
  const span = entries.length > 1 && first.stamp !== undefined ? ` (${first.stamp} - ${last.stamp ?? '?'})` : first.stamp === undefined ? '' : ` (${first.stamp})`;
  return `${entries.length}x${span}: ${last.raw.trim()}`;
}

/** Whether a later line says the failure is over (a save, write or rewrite succeeded since). */
export function recoveredAfter(context: LogRuleContext, failure: LogEntry, recovery: RegExp): LogEntry | undefined {
  return context.entries.find((entry) => entry.index > failure.index && recovery.test(entry.message));
}
