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
    why: 'section 4: with vm.overcommit_memory 0 the fork for BGSAVE / AOF rewrite can fail under memory pressure',
  },
  thp: {
    name: 'thp',
    wanted: 'never',
    why: 'section 4: transparent huge pages make fork copy-on-write slow and latency spiky; set never now and at boot, then restart redis',
  },
};

export const SYSCTL_KEYS: Readonly<Partial<Record<HostSettingName, string>>> = {
  somaxconn: 'net.core.somaxconn',
  overcommit: 'vm.overcommit_memory',
};

export const PATHS = {
  somaxconn: '/proc/sys/net/core/somaxconn',
  overcommit: '/proc/sys/vm/overcommit_memory',
  thp: '/sys/kernel/mm/transparent_hugepage/enabled',
  limits: '/etc/security/limits.conf',
  sysctlFile: '/etc/sysctl.d/99-redis-cluster-ops.conf',
  sysctlConf: '/etc/sysctl.conf',
  rcLocal: '/etc/rc.local',
} as const;

export const THP_BOOT_LINE = 'echo never > /sys/kernel/mm/transparent_hugepage/enabled';

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

/** The nofile value `* soft nofile N` / `* hard nofile N` in limits.conf text. */
export function limitsNofile(text: string, kind: 'soft' | 'hard'): string | undefined {
  for (const line of text.split('\n')) {
    const match = new RegExp(`^\\s*\\*\\s+${kind}\\s+nofile\\s+(\\d+)`).exec(line);
    if (match !== null) return match[1];
  }
  return undefined;
}

/** "Max open files  1024  524288  files" from /proc/PID/limits -> soft, hard. */
export function processNofile(text: string): { soft: string; hard: string } | undefined {
  const match = /^Max open files\s+(\S+)\s+(\S+)/m.exec(text);
  return match === null ? undefined : { soft: match[1] as string, hard: match[2] as string };
}

/** The value of `key = value` in sysctl config text. */
export function sysctlValue(text: string, key: string): string | undefined {
  for (const line of text.split('\n')) {
    const match = new RegExp(`^\\s*${key.replace(/\./g, '\\.')}\\s*=\\s*(\\S+)`).exec(line);
    if (match !== null) return match[1];
  }
  return undefined;
}
