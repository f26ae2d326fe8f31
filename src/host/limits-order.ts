/**
 * Pure: the nofile limits pam_limits gives a user, from limits.conf(5) and limits.d/*.conf.
 * pam_limits reads /etc/security/limits.conf, then each limits.d/*.conf in name order. A line
 * for the user by name beats an @group line, which beats `*`; among lines of the same kind the
 * later one wins. `-` sets soft and hard. Group and wildcard lines do not apply to root: only a
 * line naming `root` does.
 */
export const LIMITS_CONF = '/etc/security/limits.conf';
export const LIMITS_DIR = '/etc/security/limits.d';

export interface LimitsFile {
  path: string;
  text: string;
}

/** Who the limits are for: a user name, its groups (primary and supplementary). */
export interface LimitsSubject {
  user: string;
  groups: readonly string[];
}

export interface LimitLine {
  domain: string;
  type: 'soft' | 'hard';
  /** A number, or Infinity for unlimited / infinity / -1. */
  value: number;
  file: string;
  line: number;
}

export interface NofileLimits {
  soft?: LimitLine;
  hard?: LimitLine;
  /** `*` or @group lines that would apply to anyone else but are ignored for root. */
  ignoredForRoot: LimitLine[];
}

/** Pure: the files in the order pam_limits reads them. */
export function orderLimitsFiles(limitsConf: string | undefined, dropIns: ReadonlyArray<{ name: string; text: string }>): LimitsFile[] {
  const files: LimitsFile[] = limitsConf === undefined ? [] : [{ path: LIMITS_CONF, text: limitsConf }];
  for (const entry of [...dropIns].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name.endsWith('.conf')) files.push({ path: `${LIMITS_DIR}/${entry.name}`, text: entry.text });
  }
  return files;
}

/** Pure: every nofile line in the files, in reading order. */
export function nofileLines(files: readonly LimitsFile[]): LimitLine[] {
  const lines: LimitLine[] = [];
  for (const file of files) {
    file.text.split('\n').forEach((raw, index) => {
      const fields = raw.replace(/#.*/, '').trim().split(/\s+/);
      if (fields.length < 4 || fields[2] !== 'nofile') return;
      const [domain, type, , valueText] = fields as [string, string, string, string];
      if (type !== 'soft' && type !== 'hard' && type !== '-') return;
      const value = /^(unlimited|infinity|-1)$/.test(valueText) ? Infinity : Number(valueText);
      if (!Number.isFinite(value) && value !== Infinity) return;
      for (const kind of type === '-' ? (['soft', 'hard'] as const) : ([type] as const)) lines.push({ domain, type: kind, value, file: file.path, line: index + 1 });
    });
  }
  return lines;
}

/** 0: the user by name, 1: one of its groups, 2: every user (`*`); undefined: not for this user. */
function rank(domain: string, subject: LimitsSubject): number | undefined {
  const root = subject.user === 'root';
  if (domain === subject.user) return 0;
  if (domain.startsWith('@') && !root && subject.groups.includes(domain.slice(1))) return 1;
  if (domain === '*' && !root) return 2;
  return undefined;
}

/** Pure: the soft and hard nofile pam_limits sets for `subject`. */
export function resolveNofile(lines: readonly LimitLine[], subject: LimitsSubject): NofileLimits {
  const best: { soft?: [number, LimitLine]; hard?: [number, LimitLine] } = {};
  const ignoredForRoot: LimitLine[] = [];
  for (const line of lines) {
    const r = rank(line.domain, subject);
    if (r === undefined) {
      if (subject.user === 'root' && (line.domain === '*' || line.domain.startsWith('@'))) ignoredForRoot.push(line);
      continue;
    }
    const current = best[line.type];
    if (current === undefined || r <= current[0]) best[line.type] = [r, line];
  }
  return {
    ...(best.soft === undefined ? {} : { soft: best.soft[1] }),
    ...(best.hard === undefined ? {} : { hard: best.hard[1] }),
    ignoredForRoot,
  };
}

/** The domain a new line must name to govern `subject`: root by name; else `*` unless a user or group line would beat it. */
export function domainFor(lines: readonly LimitLine[], subject: LimitsSubject): string {
  if (subject.user === 'root') return 'root';
  const specific = lines.some((line) => {
    const r = rank(line.domain, subject);
    return r !== undefined && r < 2;
  });
  return specific ? subject.user : '*';
}

export function formatLimit(value: number): string {
  return value === Infinity ? 'unlimited' : String(value);
}
