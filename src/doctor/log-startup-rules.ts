import type { LogRuleContext } from './log-context';
import type { LogEntry } from './log-line';

/**
 * Pure: what the server itself warned about at its last start: THP, overcommit, somaxconn and a
 * maxclients cut for a low open-files limit. These come from the Redis host itself, so they hold
 * for remote nodes where /proc and /sys cannot be read.
 */
export function startupLogRules(context: LogRuleContext): void {
  const from = context.lastStart;
  const at = (entry: LogEntry): string => `at its last start the server logged: ${entry.raw.trim()}`;
  const first = (pattern: RegExp): LogEntry | undefined => context.matching(pattern, from)[0];

  const thp = first(/Transparent Huge Pages \(THP\) support enabled/i);
  if (thp !== undefined) context.add('thp-enabled', 'warning', at(thp), [thp]);
  const overcommit = first(/WARNING overcommit_memory is set to 0|WARNING Memory overcommit must be enabled/);
  if (overcommit !== undefined) context.add('overcommit-zero', 'warning', at(overcommit), [overcommit]);
  const backlog = first(/The TCP backlog setting of \d+ cannot be enforced because .*somaxconn is set to the lower value of \d+/);
  if (backlog !== undefined) context.add('tcp-backlog-over-somaxconn', 'warning', at(backlog), [backlog]);
  const reduced = first(/maxclients has been reduced to \d+|Server can't set maximum open files to \d+/);
  if (reduced !== undefined) context.add('open-files-limit', 'warning', at(reduced), [reduced]);
  const refused = context.matching(/Accepting client connection: Too many open files|Error registering fd event for the new client.*Too many open files/, from);
  if (refused.length > 0) {
    const last = refused[refused.length - 1] as LogEntry;
    context.add('open-files-limit', 'error', `${refused.length}x connections refused for lack of file descriptors since the last start, last: ${last.raw.trim()}`, refused);
  }
}
