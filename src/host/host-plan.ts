import { HOST_SETTINGS, PATHS, SYSCTL_KEYS, meets, type HostSettingName, type SysctlSettingName } from './host-settings';
import { describeAssignment, describeLimit, type HostItem } from './host-items';
import type { HostSnapshot } from './host-snapshot';
import { domainFor, formatLimit, nofileLines, resolveNofile, type LimitsFile } from './limits-order';
import { resolveSysctl, type SysctlFile } from './sysctl-order';
import { RC_LOCAL, THP_BOOT_LINE, THP_UNIT, THP_UNIT_TEXT, rcLocalCommand } from './thp-boot';

export interface HostEdit {
  /** Absolute path on the real host (without the root prefix). */
  file: string;
  /** 'now' writes the running kernel value; 'persist' edits a config file. */
  kind: 'now' | 'persist';
  setting: HostSettingName;
  /** The line(s) written (persist) or the value (now). */
  content: string;
  /** The shell command an operator would run for the same change. */
  command: string;
}

/** Something apply() does not do itself: the operator must. */
export interface HostManualStep {
  kind: 'restart-redis' | 'check-pid' | 'resolve-conflict';
  settings: HostSettingName[];
  message: string;
  command?: string;
}

export interface HostPlan {
  edits: HostEdit[];
  /** Steps left to the operator (restart redis-server, a later sysctl file that undoes ours). */
  manual: HostManualStep[];
}

export type ThpBoot = 'rc.local' | 'systemd';

/** Pure: the edits and manual steps that bring every item to its wanted value, never lowering one already higher. */
export function planHost(snapshot: HostSnapshot, items: readonly HostItem[], options: { persist: boolean; thpBoot: ThpBoot }): HostPlan {
  const edits: HostEdit[] = [];
  const manual: HostManualStep[] = [];
  const restart: { settings: HostSettingName[]; reasons: string[] } = { settings: [], reasons: [] };
  for (const item of items) {
    const wanted = HOST_SETTINGS[item.name].wanted;
    if (item.name === 'nofile') {
      planNofile(snapshot, options.persist, edits, manual, restart);
      continue;
    }
    if (item.name === 'thp') {
      if (item.current !== 'never') {
        edits.push({ file: PATHS.thp, kind: 'now', setting: 'thp', content: 'never', command: THP_BOOT_LINE });
        restart.settings.push('thp');
        restart.reasons.push('a running redis-server keeps its huge pages until it restarts (section 4)');
      }
      if (options.persist && item.persisted !== 'never') {
        edits.push(
          options.thpBoot === 'systemd'
            ? { file: THP_UNIT, kind: 'persist', setting: 'thp', content: THP_UNIT_TEXT, command: `cat > ${THP_UNIT} <<'EOF'\n${THP_UNIT_TEXT}EOF\nsystemctl daemon-reload && systemctl enable redis-cluster-ops-thp.service` }
            : { file: RC_LOCAL, kind: 'persist', setting: 'thp', content: THP_BOOT_LINE, command: rcLocalCommand(snapshot.rcLocal) },
        );
      }
      continue;
    }
    const key = SYSCTL_KEYS[item.name as SysctlSettingName];
    if (!meets(item.name, item.current)) {
      const path = item.name === 'somaxconn' ? PATHS.somaxconn : PATHS.overcommit;
      edits.push({ file: path, kind: 'now', setting: item.name, content: wanted, command: `sysctl -w ${key}=${wanted}` });
    }
    if (!options.persist || meets(item.name, item.persisted)) continue;
    // Never persist less than the kernel runs now: a higher running somaxconn stays at boot.
    const value = item.name === 'somaxconn' && meets(item.name, item.current) ? String(Math.max(Number(item.current), Number(wanted))) : wanted;
    const own = (snapshot.sysctlFiles.find((f) => f.path === PATHS.sysctlFile)?.text ?? '').split('\n').filter((l) => l.trim() !== '' && !new RegExp(`^\\s*-?${key.replace(/\./g, '\\.')}\\s*=`).test(l));
    const after = withOwnSysctl(snapshot.sysctlFiles, [...own, `${key} = ${value}`].join('\n'));
    edits.push({ file: PATHS.sysctlFile, kind: 'persist', setting: item.name, content: `${key} = ${value}`, command: `echo '${key} = ${value}' >> ${PATHS.sysctlFile} && sysctl --system` });
    const later = resolveSysctl(after, key, PATHS.sysctlFile, (v) => meets(item.name, v)).conflicts;
    for (const conflict of later) {
      manual.push({
        kind: 'resolve-conflict',
        settings: [item.name],
        message: `${describeAssignment(conflict)} is read after ${PATHS.sysctlFile} and would undo it at the next boot: remove or change that line`,
        command: `sed -i 's/^\\s*${key.replace(/\./g, '\\.')}\\s*=.*/${key} = ${value}/' ${conflict.via ?? conflict.file}`,
      });
    }
  }
  if (restart.settings.length > 0) {
    manual.push({ kind: 'restart-redis', settings: restart.settings, message: `restart redis-server: ${restart.reasons.join('; ')}`, command: 'systemctl restart redis-server' });
  }
  return { edits, manual };
}

/** Pure: the boot order with our sysctl file holding `text` (it masks any same-named file). */
function withOwnSysctl(files: readonly SysctlFile[], text: string): SysctlFile[] {
  const name = PATHS.sysctlFile.slice(PATHS.sysctlFile.lastIndexOf('/') + 1);
  const base = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
  const inDirs = files.filter((f) => f.path.includes('/sysctl.d/') && base(f.path) !== name);
  const tail = files.filter((f) => !f.path.includes('/sysctl.d/'));
  const ordered = [...inDirs, { path: PATHS.sysctlFile, target: PATHS.sysctlFile, text }].sort((a, b) => (base(a.path) < base(b.path) ? -1 : base(a.path) > base(b.path) ? 1 : 0));
  return [...ordered, ...tail];
}

function planNofile(snapshot: HostSnapshot, persist: boolean, edits: HostEdit[], manual: HostManualStep[], restart: { settings: HostSettingName[]; reasons: string[] }): void {
  const wanted = Number(HOST_SETTINGS.nofile.wanted);
  const lines = nofileLines(snapshot.limitsFiles);
  const limits = resolveNofile(lines, snapshot.subject);
  const softOk = meets('nofile', limits.soft?.value);
  const hardOk = meets('nofile', limits.hard?.value);
  if (persist && (!softOk || !hardOk)) {
    const domain = domainFor(lines, snapshot.subject);
    const soft = softOk ? (limits.soft?.value as number) : wanted;
    const hard = Math.max(soft, hardOk ? (limits.hard?.value as number) : wanted);
    const content = `${domain} soft nofile ${formatLimit(soft)}\n${domain} hard nofile ${formatLimit(hard)}`;
    edits.push({ file: PATHS.limitsFile, kind: 'persist', setting: 'nofile', content, command: `printf '%s\\n' '${domain} soft nofile ${formatLimit(soft)}' '${domain} hard nofile ${formatLimit(hard)}' >> ${PATHS.limitsFile}` });
    const after = resolveNofile(nofileLines(withOwnLimits(snapshot.limitsFiles, content)), snapshot.subject);
    for (const line of [after.soft, after.hard]) {
      if (line !== undefined && line.file !== PATHS.limitsFile && !meets('nofile', line.value)) {
        manual.push({ kind: 'resolve-conflict', settings: ['nofile'], message: `${describeLimit(line)} still governs ${snapshot.subject.user} after our file: remove or raise it` });
      }
    }
  }
  const process = snapshot.process;
  if (process !== undefined && !process.running) {
    manual.push({ kind: 'check-pid', settings: ['nofile'], message: `pid ${process.pid} is not running: the live redis-server's open-files limit was not checked; pass the pid of the running server` });
  } else if (process !== undefined && !meets('nofile', process.soft)) {
    restart.settings.push('nofile');
    restart.reasons.push(
      `the running redis-server (pid ${process.pid}) has nofile ${process.soft ?? '?'} and keeps it (and the maxclients it derived) until it restarts from a session with the new limit; a systemd service ignores limits.conf: set LimitNOFILE=${wanted} in its unit`,
    );
  }
}

function withOwnLimits(files: readonly LimitsFile[], content: string): LimitsFile[] {
  const rest = files.filter((f) => f.path !== PATHS.limitsFile);
  const conf = rest.filter((f) => !f.path.includes('/limits.d/'));
  const dropIns = [...rest.filter((f) => f.path.includes('/limits.d/')), { path: PATHS.limitsFile, text: content }].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return [...conf, ...dropIns];
}
