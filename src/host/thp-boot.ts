/**
 * Pure: whether transparent huge pages are set to `never` at boot, by /etc/rc.local or a systemd
 * unit, and the rc.local edit that makes it so. rc.local only runs when it is executable, starts
 * with a shebang, and reaches the line: a line after a top-level `exit 0`, or commented out, does
 * not count.
 */
export const THP_PATH = '/sys/kernel/mm/transparent_hugepage/enabled';
export const THP_BOOT_LINE = `echo never > ${THP_PATH}`;
export const RC_LOCAL = '/etc/rc.local';
export const THP_UNIT = '/etc/systemd/system/redis-cluster-ops-thp.service';
export const THP_UNIT_LINK = '/etc/systemd/system/multi-user.target.wants/redis-cluster-ops-thp.service';
export const THP_UNIT_TEXT = `[Unit]
Description=Transparent huge pages off for Redis (redis-cluster-ops)
DefaultDependencies=no
After=sysinit.target local-fs.target
Before=redis-server.service redis.service

[Service]
Type=oneshot
ExecStart=/bin/sh -c 'echo never > ${THP_PATH}'

[Install]
WantedBy=multi-user.target
`;

const SETS_NEVER = /^\s*echo\s+["']?never["']?\s*>\s*\/sys\/kernel\/mm\/transparent_hugepage\/enabled\s*(;.*)?$/;
const EXIT = /^\s*exit(\s+\d+)?\s*(;.*|#.*)?$/;

export interface RcLocalVerdict {
  /** rc.local sets never at boot. */
  persisted: boolean;
  /** Why not, when there is a line that looks like it but does not count. */
  problem?: string;
}

/** Pure: reads rc.local text (and whether it is executable). */
export function rcLocalSetsNever(text: string | undefined, executable: boolean): RcLocalVerdict {
  if (text === undefined) return { persisted: false };
  const lines = text.split('\n');
  const setAt = lines.findIndex((line) => SETS_NEVER.test(line));
  const exitAt = lines.findIndex((line) => EXIT.test(line));
  if (setAt < 0) {
    const commented = lines.find((line) => /^\s*#.*echo\s+never\s*>.*transparent_hugepage\/enabled/.test(line));
    return commented === undefined ? { persisted: false } : { persisted: false, problem: `the line is commented out: "${commented.trim()}"` };
  }
  if (exitAt >= 0 && exitAt < setAt) return { persisted: false, problem: `the line comes after "${(lines[exitAt] as string).trim()}" (line ${exitAt + 1}) and never runs` };
  if (!(lines[0] ?? '').startsWith('#!')) return { persisted: false, problem: 'rc.local has no shebang (#!/bin/sh) on its first line, so it does not run' };
  if (!executable) return { persisted: false, problem: 'rc.local is not executable (chmod +x), so it does not run at boot' };
  return { persisted: true };
}

/** Pure: rc.local with the THP line before the first top-level exit, a shebang first, stale THP lines dropped. */
export function rcLocalWithNever(text: string | undefined): string {
  const lines = text === undefined || text === '' ? [] : text.replace(/\n$/, '').split('\n');
  const kept = lines.filter((line) => !SETS_NEVER.test(line));
  if (!(kept[0] ?? '').startsWith('#!')) kept.unshift('#!/bin/sh -e');
  const exitAt = kept.findIndex((line) => EXIT.test(line));
  if (exitAt < 0) kept.push(THP_BOOT_LINE, 'exit 0');
  else kept.splice(exitAt, 0, THP_BOOT_LINE);
  return `${kept.join('\n')}\n`;
}

/** Pure: the shell commands an operator would run for the same rc.local edit. */
export function rcLocalCommand(text: string | undefined): string {
  const chmod = `chmod +x ${RC_LOCAL}`;
  if (text === undefined || text.trim() === '') return `printf '#!/bin/sh -e\\n${THP_BOOT_LINE}\\nexit 0\\n' > ${RC_LOCAL} && ${chmod}`;
  const steps: string[] = [];
  if (!(text.split('\n')[0] ?? '').startsWith('#!')) steps.push(`sed -i '1i #!/bin/sh -e' ${RC_LOCAL}`);
  const lines = text.split('\n');
  const exitAt = lines.findIndex((line) => EXIT.test(line));
  if (exitAt >= 0) steps.push(`sed -i '0,/^\\s*exit\\b/s//${THP_BOOT_LINE.replace(/\//g, '\\/')}\\n&/' ${RC_LOCAL}`);
  else steps.push(`echo '${THP_BOOT_LINE}' >> ${RC_LOCAL}`);
  steps.push(chmod);
  return steps.join(' && ');
}
