import type { HostSnapshot } from './host-snapshot';
import { HOST_SETTINGS, PATHS, SYSCTL_KEYS, meets, type HostSettingName } from './host-settings';
import { formatLimit, nofileLines, resolveNofile, type LimitLine } from './limits-order';
import { resolveSysctl, type SysctlAssignment } from './sysctl-order';
import { rcLocalSetsNever } from './thp-boot';

export interface HostItem {
  name: HostSettingName;
  /** The running value (kernel now; for nofile, what pam_limits gives Redis's user: soft/hard). */
  current: string | undefined;
  /** The value the next boot (or login) ends with, after every config file in its order. */
  persisted: string | undefined;
  /** Which file:line sets the persisted value. */
  source?: string;
  /** For nofile with a pid: the live process's soft limit. */
  process?: string;
  wanted: string;
  ok: boolean;
  why: string;
  /** Files that undo the wanted value at boot, or lines that look right but do not count. */
  conflicts: string[];
  /** What else the operator should know (root and `*` lines, a dead pid). */
  warnings: string[];
}

export const describeAssignment = (a: SysctlAssignment): string => `${a.file}${a.via === undefined ? '' : ` (-> ${a.via})`} line ${a.line}: ${a.key} = ${a.value}`;
export const describeLimit = (l: LimitLine): string => `${l.file} line ${l.line}: ${l.domain} ${l.type} nofile ${formatLimit(l.value)}`;

/** Pure: what the snapshot says about each managed setting. */
export function evaluate(snapshot: HostSnapshot, settings: readonly HostSettingName[], persist: boolean): HostItem[] {
  return settings.map((name) => {
    const base = { name, wanted: HOST_SETTINGS[name].wanted, why: HOST_SETTINGS[name].why, conflicts: [] as string[], warnings: [] as string[] };
    if (name === 'nofile') return nofileItem(snapshot, base, persist);
    if (name === 'thp') {
      const current = snapshot.now.thp;
      const verdict = rcLocalSetsNever(snapshot.rcLocal, snapshot.rcLocalExecutable);
      const persisted = verdict.persisted || snapshot.thpUnit ? 'never' : undefined;
      if (persisted === undefined && verdict.problem !== undefined) base.conflicts.push(`/etc/rc.local: ${verdict.problem}`);
      const ok = current === 'never' && (!persist || persisted === 'never');
      return { ...base, current, persisted, ...(verdict.persisted ? { source: '/etc/rc.local' } : snapshot.thpUnit ? { source: 'redis-cluster-ops-thp.service' } : {}), ok };
    }
    const current = snapshot.now[name];
    const resolution = resolveSysctl(snapshot.sysctlFiles, SYSCTL_KEYS[name], PATHS.sysctlFile, (value) => meets(name, value));
    base.conflicts.push(...resolution.conflicts.map((a) => `${describeAssignment(a)} comes after ${PATHS.sysctlFile} and wins at boot`));
    const ok = meets(name, current) && (!persist || meets(name, resolution.value));
    return { ...base, current, persisted: resolution.value, ...(resolution.from === undefined ? {} : { source: describeAssignment(resolution.from) }), ok };
  });
}

function nofileItem(snapshot: HostSnapshot, base: Omit<HostItem, 'current' | 'persisted' | 'ok'>, persist: boolean): HostItem {
  const lines = nofileLines(snapshot.limitsFiles);
  const limits = resolveNofile(lines, snapshot.subject);
  const soft = limits.soft === undefined ? undefined : formatLimit(limits.soft.value);
  const hard = limits.hard === undefined ? undefined : formatLimit(limits.hard.value);
  const current = soft === hard ? soft : `${soft ?? '-'}/${hard ?? '-'}`;
  if (snapshot.subject.user === 'root' && limits.ignoredForRoot.length > 0) {
    base.warnings.push(
      `Redis runs as root (${snapshot.subject.source}): pam_limits does not apply * or @group lines to root (${limits.ignoredForRoot.map(describeLimit).join('; ')}); only lines naming root count`,
    );
  }
  let process: string | undefined;
  let processOk = true;
  if (snapshot.process !== undefined) {
    if (!snapshot.process.running) {
      base.warnings.push(`pid ${snapshot.process.pid} is not running (no /proc/${snapshot.process.pid}/limits): the live redis-server's limit was not checked; pass the pid of the running server`);
      processOk = false;
    } else {
      process = snapshot.process.soft;
      processOk = meets('nofile', process);
    }
  }
  const sources = [limits.soft, limits.hard].filter((l): l is LimitLine => l !== undefined).map(describeLimit);
  const ok = (!persist || (meets('nofile', limits.soft?.value) && meets('nofile', limits.hard?.value))) && processOk;
  return { ...base, current, persisted: current, ...(sources.length === 0 ? {} : { source: [...new Set(sources)].join('; ') }), ...(process === undefined ? {} : { process }), ok };
}
