import { recoveredAfter, summarize, type LogRuleContext } from './log-context';
import type { LogEntry } from './log-line';

// Redis kills its own save / rewrite child with SIGUSR1 on purpose (SHUTDOWN, FLUSHALL, replicas gone):
// that is not a failure (rdb.c / aof.c: `if (bysignal != SIGUSR1) ... = C_ERR`).
const SIGUSR1 = 10;

/** Pure: AOF and RDB symptoms in one node's log (sections 4, 24.1, 24.2, 24.5, 24.6). */
export function persistenceLogRules(context: LogRuleContext): void {
  const { node } = context;
  const badAof = context.matching(/Bad file format reading the append only file|Unexpected end of file reading the append only file|Invalid AOF manifest|AOF.*is not valid/);
  if (badAof.length > 0) context.add('aof-corrupt', 'error', (badAof[0] as LogEntry).raw.trim(), badAof);
  else if (!node.reachable && context.entries.length > 0) {
    // Stuck after start: the last start never reached "Ready to accept connections".
    const started = context.matching(/Server initialized|Redis version=|Valkey version=/);
    const lastStart = started[started.length - 1];
    if (lastStart !== undefined && context.matching(/Ready to accept connections/, lastStart.index).length === 0) {
      const last = context.entries[context.entries.length - 1] as LogEntry;
      context.add('aof-corrupt', 'warning', `the node is down and its last start never reached "Ready to accept connections" (last line: ${last.raw.trim()}); a corrupt AOF is the usual cause`, [lastStart]);
    }
  }
  const busy = context.matching(/Slot \d+ is already busy/);
  if (busy.length > 0) context.add('stale-cluster-config', 'error', (busy[0] as LogEntry).raw.trim(), busy);

  const fsync = context.matching(/Asynchronous AOF fsync is taking too long/);
  if (fsync.length > 0) context.add('aof-fsync-slow', 'warning', summarize(fsync), fsync);

  failures(context, 'bgsave-error', /Background saving error|Failed opening the temp RDB file|Write error saving DB on disk|MISCONF/, /Background saving terminated with success|DB saved on disk/);
  failures(context, 'fork-failed', /Can't save in background: fork: /, /Background saving started|Background saving terminated with success|DB saved on disk/);
  const killed = context.matching(/Background saving terminated by signal (\d+)/).filter((entry) => signalOf(entry) !== SIGUSR1);
  if (killed.length > 0) report(context, 'bgsave-killed', killed, /Background saving terminated with success/, killed.some((entry) => signalOf(entry) === 9) ? ' (signal 9: the kernel OOM killer, or kill -9)' : '');
  failures(context, 'aof-write-error', /Error writing to the AOF file: |Short write while writing to the AOF file/, /AOF write error looks solved/);
  const rewrite = context
    .matching(/Can't rewrite append only file in background: fork: |Background AOF rewrite terminated by signal (\d+)|Background AOF rewrite terminated with error/)
    .filter((entry) => signalOf(entry) !== SIGUSR1);
  if (rewrite.length > 0) report(context, 'aof-rewrite-failed', rewrite, /Background AOF rewrite (terminated with success|finished successfully)/, '');
}

function signalOf(entry: LogEntry): number | undefined {
  const match = /terminated by signal (\d+)/.exec(entry.message);
  return match === null ? undefined : Number(match[1]);
}

function failures(context: LogRuleContext, code: Parameters<LogRuleContext['add']>[0], pattern: RegExp, recovery: RegExp): void {
  const seen = context.matching(pattern);
  if (seen.length > 0) report(context, code, seen, recovery, '');
}

/** An error while the last failure stands; info once a later line shows it recovered. */
function report(context: LogRuleContext, code: Parameters<LogRuleContext['add']>[0], seen: readonly LogEntry[], recovery: RegExp, note: string): void {
  const last = seen[seen.length - 1] as LogEntry;
  const recovered = recoveredAfter(context, last, recovery);
  if (recovered === undefined) context.add(code, 'error', `${summarize(seen)}${note}`, seen);
  else context.add(code, 'info', `${summarize(seen)}${note}; recovered since: ${recovered.raw.trim()}`, seen);
}
