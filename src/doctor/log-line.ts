/**
 * Pure: one line of a redis-server / valkey-server log, in the format every supported server
 * writes (server.c, serverLogRaw): `PID:ROLE DD Mon YYYY HH:MM:SS.mmm LEVEL message`, where ROLE
 * is M (master), S (replica), C (child: BGSAVE / AOF rewrite), X (sentinel), and LEVEL is
 * `.` debug, `-` verbose, `*` notice, `#` warning.
 */
export interface LogEntry {
  /** Index of the line in the lines read. */
  index: number;
  pid?: number;
  role?: 'M' | 'S' | 'C' | 'X';
  /** The log's own clock, as milliseconds of a UTC date with the same fields (only differences mean anything). */
  time?: number;
  /** The timestamp as written, e.g. "24 Nov 2026 20:43:10.008". */
  stamp?: string;
  level?: 'debug' | 'verbose' | 'notice' | 'warning';
  message: string;
  raw: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const LEVELS = { '.': 'debug', '-': 'verbose', '*': 'notice', '#': 'warning' } as const;
const LINE = /^(\d+):([MSCX]) ((\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2})\.(\d{3})) ([.\-*#]) (.*)$/;

export function parseLogLine(raw: string, index = 0): LogEntry {
  const match = LINE.exec(raw.replace(/\r$/, ''));
  if (match === null) return { index, message: raw.trim(), raw };
  const [, pid, role, stamp, day, month, year, hh, mm, ss, ms, level, message] = match as unknown as string[];
  const monthIndex = MONTHS.indexOf(month as string);
  const time = monthIndex < 0 ? undefined : Date.UTC(Number(year), monthIndex, Number(day), Number(hh), Number(mm), Number(ss), Number(ms));
  return {
    index,
    pid: Number(pid),
    role: role as LogEntry['role'],
    ...(time === undefined ? {} : { time }),
    stamp: stamp as string,
    level: LEVELS[level as keyof typeof LEVELS],
    message: message as string,
    raw,
  };
}

export function parseLog(lines: readonly string[]): LogEntry[] {
  return lines.map((line, index) => parseLogLine(line, index)).filter((entry) => entry.message !== '');
}

/** A burst: `count` matching entries within `windowMs`, the densest such run found. */
export interface Burst {
  count: number;
  first: LogEntry;
  last: LogEntry;
  /** Span from first to last, in ms (0 when the log has no timestamps). */
  spanMs: number;
}

/**
 * Pure: the densest run of entries inside any window of `windowMs`; undefined when no window
 * holds `min` of them. Entries without a timestamp never form a burst (no rate can be told).
 */
export function densestBurst(entries: readonly LogEntry[], windowMs: number, min: number): Burst | undefined {
  const timed = entries.filter((entry) => entry.time !== undefined).sort((a, b) => (a.time as number) - (b.time as number));
  let best: Burst | undefined;
  let start = 0;
  for (let end = 0; end < timed.length; end++) {
    while ((timed[end]?.time as number) - (timed[start]?.time as number) > windowMs) start++;
    const count = end - start + 1;
    if (count >= min && (best === undefined || count > best.count)) {
      const first = timed[start] as LogEntry;
      const last = timed[end] as LogEntry;
      best = { count, first, last, spanMs: (last.time as number) - (first.time as number) };
    }
  }
  return best;
}

/** "3 in 2.5 min (24 Nov 2026 20:43:08.143 - 20:45:38.001)". */
export function describeBurst(burst: Burst): string {
  const span = burst.spanMs < 120_000 ? `${(burst.spanMs / 1000).toFixed(burst.spanMs < 10_000 ? 3 : 0)} s` : `${(burst.spanMs / 60_000).toFixed(1)} min`;
  return `${burst.count} in ${span} (${burst.first.stamp ?? '?'} - ${burst.last.stamp ?? '?'})`;
}
