/**
 * Pure: which sysctl value the next boot applies, resolved the way systemd-sysctl orders its files
 * (sysctl.d(5)): every `*.conf` in the directories below, by file NAME across directories; a name
 * in an earlier directory masks the same name in later ones; files are applied in name order, so a
 * later file wins. `/etc/sysctl.conf` is read through the `99-sysctl.conf` link Debian and RHEL
 * ship in /etc/sysctl.d; without that link only procps's `sysctl --system` reads it, last.
 */
export const SYSCTL_DIRS = ['/etc/sysctl.d', '/run/sysctl.d', '/usr/local/lib/sysctl.d', '/usr/lib/sysctl.d', '/lib/sysctl.d'] as const;

export const SYSCTL_CONF = '/etc/sysctl.conf';

/** One sysctl config file as boot reads it. */
export interface SysctlFile {
  /** The path boot reads (in a sysctl.d dir, or /etc/sysctl.conf). */
  path: string;
  /** Where it leads once links are followed (the same path when it is no link). */
  target: string;
  text: string;
}

/** One `key = value` line, in the order boot applies it. */
export interface SysctlAssignment {
  key: string;
  value: string;
  /** The file as boot reads it; `via` names the link target when they differ. */
  file: string;
  via?: string;
  line: number;
}

/** Pure: the files of each directory listing, in the order systemd-sysctl applies them. */
export function orderSysctlFiles(listings: ReadonlyArray<{ dir: string; names: readonly string[] }>): string[] {
  const byName = new Map<string, string>();
  for (const dir of SYSCTL_DIRS) {
    const listing = listings.find((entry) => entry.dir === dir);
    for (const name of listing?.names ?? []) {
      if (name.endsWith('.conf') && !byName.has(name)) byName.set(name, `${dir}/${name}`);
    }
  }
  return [...byName.keys()].sort(compareNames).map((name) => byName.get(name) as string);
}

/** systemd sorts with strcmp: byte order, not locale order. */
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `net/core/somaxconn` and `net.core.somaxconn` are the same key; a leading `-` only silences errors. */
export function normalizeSysctlKey(key: string): string {
  const bare = key.trim().replace(/^-/, '');
  return bare.includes('/') && (!bare.includes('.') || bare.indexOf('/') < bare.indexOf('.')) ? bare.replace(/\//g, '.') : bare;
}

/** Pure: every assignment of `key` across the ordered files, in the order boot applies them. */
export function sysctlAssignments(files: readonly SysctlFile[], key: string): SysctlAssignment[] {
  const wanted = normalizeSysctlKey(key);
  const result: SysctlAssignment[] = [];
  for (const file of files) {
    file.text.split('\n').forEach((raw, index) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
      const eq = line.indexOf('=');
      if (eq < 0 || normalizeSysctlKey(line.slice(0, eq)) !== wanted) return;
      result.push({ key: wanted, value: line.slice(eq + 1).trim(), file: file.path, ...(file.target === file.path ? {} : { via: file.target }), line: index + 1 });
    });
  }
  return result;
}

/** Pure: appends /etc/sysctl.conf last when no sysctl.d file leads to it (procps reads it after the rest). */
export function withSysctlConf(files: readonly SysctlFile[], sysctlConf: string | undefined): SysctlFile[] {
  if (sysctlConf === undefined || files.some((file) => file.target === SYSCTL_CONF)) return [...files];
  return [...files, { path: SYSCTL_CONF, target: SYSCTL_CONF, text: sysctlConf }];
}

/** How one setting resolves at boot. */
export interface SysctlResolution {
  /** The value boot ends with (the last assignment), if any file sets it. */
  value?: string;
  /** Which file sets that value. */
  from?: SysctlAssignment;
  /** Assignments after `ownFile`'s that set a value `good` rejects: they undo ours at boot. */
  conflicts: SysctlAssignment[];
  assignments: SysctlAssignment[];
}

export function resolveSysctl(files: readonly SysctlFile[], key: string, ownFile: string, good: (value: string) => boolean): SysctlResolution {
  const assignments = sysctlAssignments(files, key);
  const from = assignments[assignments.length - 1];
  const ownIndex = assignments.map((a) => a.file).lastIndexOf(ownFile);
  const conflicts = ownIndex < 0 ? [] : assignments.slice(ownIndex + 1).filter((a) => a.file !== ownFile && !good(a.value));
  return { ...(from === undefined ? {} : { value: from.value, from }), conflicts, assignments };
}
