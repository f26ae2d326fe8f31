import { accessSync, chmodSync, constants, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InvalidArgumentError } from '../errors';
import { HostTunerPermissionError } from './errors';
import {
  HOST_SETTINGS,
  PATHS,
  SYSCTL_KEYS,
  THP_BOOT_LINE,
  limitsNofile,
  processNofile,
  selectedMode,
  setLine,
  sysctlValue,
  type HostSettingName,
} from './host-settings';

export interface HostTunerOptions {
  /**
   * Prefix for every path (/proc, /sys, /etc), to work on a copy of a host's tree.
   * @defaultValue '/'
   */
  root?: string;
  /**
   * apply() only returns the edits and commands it would run.
   * @defaultValue false
   */
  dryRun?: boolean;
  /** A live redis-server pid: inspect() also reads its /proc/PID/limits. */
  pid?: number;
  /**
   * Which settings to manage.
   * @defaultValue ['nofile', 'somaxconn', 'overcommit', 'thp']
   */
  settings?: readonly HostSettingName[];
  /**
   * Also persist (sysctl.d file, limits.conf, rc.local); false changes only the running kernel.
   * @defaultValue true
   */
  persist?: boolean;
}

export interface HostItem {
  name: HostSettingName;
  /** The running value (kernel now, or limits.conf for nofile). */
  current: string | undefined;
  /** What the persisted config says (sysctl file, limits.conf, rc.local), if persisting. */
  persisted: string | undefined;
  /** For nofile with a pid: the live process's soft limit. */
  process?: string;
  wanted: string;
  ok: boolean;
  why: string;
}

export interface HostEdit {
  /** Absolute path on the real host (without the root prefix). */
  file: string;
  /** 'now' writes the running kernel value; 'persist' edits a config file. */
  kind: 'now' | 'persist';
  setting: HostSettingName;
  /** The line written (persist) or the value (now). */
  content: string;
  /** The shell command an operator would run for the same change. */
  command: string;
}

export interface HostPlan {
  edits: HostEdit[];
}

export interface ApplyResult {
  dryRun: boolean;
  /** Files written (host paths). */
  changed: string[];
  /** Backup copies made before changing a file (real paths on this machine). */
  backups: string[];
  /** What was (or would be) done, one line each. */
  preview: string[];
}

/** Section 4: inspect, plan, apply, verify the kernel and limits settings Redis wants. */
export class HostTuner {
  readonly options: Required<Omit<HostTunerOptions, 'pid'>> & Pick<HostTunerOptions, 'pid'>;

  constructor(options: HostTunerOptions = {}) {
    this.options = { root: '/', dryRun: false, settings: ['nofile', 'somaxconn', 'overcommit', 'thp'], persist: true, ...options };
    for (const name of this.options.settings) {
      if (!(name in HOST_SETTINGS)) throw new InvalidArgumentError('settings', name, 'not a host setting', 'Use nofile, somaxconn, overcommit or thp.');
    }
    if (this.options.pid !== undefined && (!Number.isInteger(this.options.pid) || this.options.pid <= 0)) {
      throw new InvalidArgumentError('pid', this.options.pid, 'not a process id', 'Pass the pid of a running redis-server.');
    }
  }

  async inspect(): Promise<HostItem[]> {
    const sysctlText = this.read(PATHS.sysctlFile) ?? '';
    const sysctlConf = this.read(PATHS.sysctlConf) ?? '';
    return this.options.settings.map((name) => {
      const spec = HOST_SETTINGS[name];
      let current: string | undefined;
      let persisted: string | undefined;
      let process: string | undefined;
      if (name === 'nofile') {
        const limits = this.read(PATHS.limits) ?? '';
        const soft = limitsNofile(limits, 'soft');
        const hard = limitsNofile(limits, 'hard');
        current = soft === hard ? soft : `${soft ?? '-'}/${hard ?? '-'}`;
        persisted = current;
        if (this.options.pid !== undefined) process = processNofile(this.read(`/proc/${this.options.pid}/limits`) ?? '')?.soft;
      } else if (name === 'thp') {
        const text = this.read(PATHS.thp);
        current = text === undefined ? undefined : selectedMode(text);
        persisted = (this.read(PATHS.rcLocal) ?? '').includes(THP_BOOT_LINE) ? 'never' : undefined;
      } else {
        current = this.read(name === 'somaxconn' ? PATHS.somaxconn : PATHS.overcommit)?.trim();
        const key = SYSCTL_KEYS[name] as string;
        persisted = sysctlValue(sysctlText, key) ?? sysctlValue(sysctlConf, key);
      }
      const good = (value: string | undefined): boolean =>
        value !== undefined && (name === 'nofile' || name === 'somaxconn' ? Number(value) >= Number(spec.wanted) : value === spec.wanted);
      const ok = good(current) && (!this.options.persist || good(persisted)) && (process === undefined || good(process));
      return { name, current, persisted, ...(process === undefined ? {} : { process }), wanted: spec.wanted, ok, why: spec.why };
    });
  }

  /** The edits that would bring every managed setting to its wanted value (empty when all are ok). */
  async plan(): Promise<HostPlan> {
    const items = await this.inspect();
    const edits: HostEdit[] = [];
    for (const item of items) {
      const wanted = item.wanted;
      const nowOk = item.current !== undefined && (item.name === 'somaxconn' ? Number(item.current) >= Number(wanted) : item.current === wanted);
      if (item.name === 'nofile') {
        if (limitsNofile(this.read(PATHS.limits) ?? '', 'soft') !== wanted || limitsNofile(this.read(PATHS.limits) ?? '', 'hard') !== wanted) {
          edits.push({ file: PATHS.limits, kind: 'persist', setting: 'nofile', content: `* soft nofile ${wanted}\n* hard nofile ${wanted}`, command: `echo '* soft nofile ${wanted}' >> ${PATHS.limits}` });
        }
        continue;
      }
      if (item.name === 'thp') {
        if (!nowOk) edits.push({ file: PATHS.thp, kind: 'now', setting: 'thp', content: 'never', command: THP_BOOT_LINE });
        if (this.options.persist && item.persisted !== 'never') edits.push({ file: PATHS.rcLocal, kind: 'persist', setting: 'thp', content: THP_BOOT_LINE, command: `echo '${THP_BOOT_LINE}' >> ${PATHS.rcLocal}` });
        continue;
      }
      const key = SYSCTL_KEYS[item.name] as string;
      const path = item.name === 'somaxconn' ? PATHS.somaxconn : PATHS.overcommit;
      if (!nowOk) edits.push({ file: path, kind: 'now', setting: item.name, content: wanted, command: `sysctl -w ${key}=${wanted}` });
      if (this.options.persist && item.persisted !== wanted) {
        edits.push({ file: PATHS.sysctlFile, kind: 'persist', setting: item.name, content: `${key} = ${wanted}`, command: `echo '${key} = ${wanted}' >> ${PATHS.sysctlFile} && sysctl --system` });
      }
    }
    return { edits };
  }

  /**
   * Applies a plan: checks it may write every file first (else HostTunerPermissionError, nothing
   * written), backs each changed config file up (FILE.redis-cluster-ops.bak), edits only its known
   * files and lines. With dryRun, only returns the preview.
   */
  async apply(plan?: HostPlan): Promise<ApplyResult> {
    const edits = (plan ?? (await this.plan())).edits;
    const known = new Set<string>([PATHS.somaxconn, PATHS.overcommit, PATHS.thp, PATHS.limits, PATHS.sysctlFile, PATHS.rcLocal]);
    for (const edit of edits) {
      if (!known.has(edit.file)) throw new InvalidArgumentError('plan', edit.file, 'not a file HostTuner manages', 'Pass a plan made by plan().');
    }
    const preview = edits.map((edit) => `${edit.kind === 'now' ? 'set' : 'persist'} ${edit.setting}: ${edit.file} <- ${edit.content.replace(/\n/g, ' | ')}   (${edit.command})`);
    if (this.options.dryRun) return { dryRun: true, changed: [], backups: [], preview };

    for (const edit of edits) this.assertWritable(edit.file);
    // Back up only what the host had before this run, not files this run creates.
    const existedBefore = new Set(edits.filter((edit) => existsSync(this.path(edit.file))).map((edit) => edit.file));
    const changed = new Set<string>();
    const backups: string[] = [];
    for (const edit of edits) {
      const path = this.path(edit.file);
      if (edit.kind === 'now') {
        writeFileSync(path, `${edit.content}\n`);
        changed.add(edit.file);
        continue;
      }
      const before = existsSync(path) ? readFileSync(path, 'utf8') : '';
      let after = before;
      if (edit.setting === 'nofile') {
        after = setLine(after, /^\s*\*\s+soft\s+nofile\s/, `* soft nofile ${HOST_SETTINGS.nofile.wanted}`);
        after = setLine(after, /^\s*\*\s+hard\s+nofile\s/, `* hard nofile ${HOST_SETTINGS.nofile.wanted}`);
      } else if (edit.setting === 'thp') {
        const base = before === '' ? '#!/bin/sh -e\n' : before.replace(/^exit 0\s*$/m, '');
        after = setLine(base, /transparent_hugepage\/enabled/, THP_BOOT_LINE);
      } else {
        const key = SYSCTL_KEYS[edit.setting] as string;
        after = setLine(after, new RegExp(`^\\s*${key.replace(/\./g, '\\.')}\\s*=`), edit.content);
      }
      if (after === before) continue;
      if (existedBefore.has(edit.file)) {
        const backup = `${path}.redis-cluster-ops.bak`;
        if (!existsSync(backup)) {
          copyFileSync(path, backup);
          backups.push(backup);
        }
      }
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, after);
      if (edit.setting === 'thp') chmodSync(path, 0o755);
      changed.add(edit.file);
    }
    return { dryRun: false, changed: [...changed], backups, preview };
  }

  /** inspect(), then whether every managed setting is as wanted. */
  async verify(): Promise<{ ok: boolean; items: HostItem[] }> {
    const items = await this.inspect();
    return { ok: items.every((item) => item.ok), items };
  }

  private path(hostPath: string): string {
    return join(this.options.root, hostPath);
  }

  private read(hostPath: string): string | undefined {
    try {
      return readFileSync(this.path(hostPath), 'utf8');
    } catch {
      return undefined;
    }
  }

  private assertWritable(hostPath: string): void {
    const path = this.path(hostPath);
    const target = existsSync(path) ? path : dirname(path);
    try {
      accessSync(existsSync(target) ? target : this.options.root, constants.W_OK);
    } catch (error) {
      throw new HostTunerPermissionError(hostPath, (error as NodeJS.ErrnoException).code ?? 'not writable');
    }
  }
}
