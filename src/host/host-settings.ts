/** The host settings of runbook section 4, with where they live and why. */
export type HostSettingName = 'nofile' | 'somaxconn' | 'overcommit' | 'thp';

export interface HostSettingSpec {
  name: HostSettingName;
  wanted: string;
  why: string;
}

export const HOST_SETTINGS: Readonly<Record<HostSettingName, HostSettingSpec>> = {
  nofile: {
    name: 'nofile',
    wanted: '102400',
    why: 'section 4: maxclients 10000 plus cluster links and files need many descriptors; limits.conf applies to PAM sessions only, so check the live process too (/proc/PID/limits)',
  },
  somaxconn: {
    name: 'somaxconn',
    wanted: '32767',
    why: "section 4: the kernel caps redis's tcp-backlog (32767) at net.core.somaxconn; set it now (sysctl -w) and in sysctl config",
  },
  overcommit: {
    name: 'overcommit',
    wanted: '1',
    why: 'section 4: with vm.overcommit_memory 0 the fork for BGSAVE / AOF rewrite can fail under memory pressure (2 refuses it outright)',
  },
  thp: {
    name: 'thp',
    wanted: 'never',
    why: 'section 4: transparent huge pages make fork copy-on-write slow and latency spiky; set never now and at boot, then restart redis',
  },
};

export const SYSCTL_KEYS = {
  somaxconn: 'net.core.somaxconn',
  overcommit: 'vm.overcommit_memory',
} as const;

export type SysctlSettingName = keyof typeof SYSCTL_KEYS;

export const PATHS = {
  somaxconn: '/proc/sys/net/core/somaxconn',
  overcommit: '/proc/sys/vm/overcommit_memory',
  thp: '/sys/kernel/mm/transparent_hugepage/enabled',
  /**
   * Ours: named to sort after the `99-sysctl.conf` link to /etc/sysctl.conf that Debian and RHEL
   * ship, so an old value there does not undo ours at boot.
   */
  sysctlFile: '/etc/sysctl.d/99-zz-redis-cluster-ops.conf',
  /** Ours: read after limits.conf and the other drop-ins, so its lines win among lines of the same kind. */
  limitsFile: '/etc/security/limits.d/99-redis-cluster-ops.conf',
  passwd: '/etc/passwd',
  group: '/etc/group',
} as const;

/** Whether a value meets the setting: limits compare as numbers (higher is fine), switches exactly. */
export function meets(name: HostSettingName, value: string | number | undefined): boolean {
  if (value === undefined) return false;
  const wanted = HOST_SETTINGS[name].wanted;
  if (name === 'nofile' || name === 'somaxconn') {
    const number = typeof value === 'number' ? value : /^(unlimited|infinity)$/.test(value) ? Infinity : Number(value);
    return !Number.isNaN(number) && number >= Number(wanted);
  }
  return String(value).trim() === wanted;
}

/** The selected mode of a sysfs switch: "always madvise [never]" -> "never". */
export function selectedMode(text: string): string {
  return /\[([^\]]+)\]/.exec(text)?.[1] ?? text.trim();
}

/**
 * Pure: sets `line` in `text` for lines matching `matcher`: replaces the first, drops duplicates,
 * appends when absent. Idempotent: applying it twice changes nothing the second time.
 */
export function setLine(text: string, matcher: RegExp, line: string): string {
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n');
  let placed = false;
  const result: string[] = [];
  for (const current of lines) {
    if (matcher.test(current)) {
      if (!placed) result.push(line);
      placed = true;
    } else result.push(current);
  }
  if (!placed) result.push(line);
  return `${result.join('\n')}\n`;
}

/** "Max open files  1024  524288  files" from /proc/PID/limits -> soft, hard. */
export function processNofile(text: string): { soft: string; hard: string } | undefined {
  const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(text);
  return match === null ? undefined : { soft: match[1] as string, hard: match[2] as string };
}
