import { accessSync, chmodSync, constants, copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { frozen, stripUndefined } from '../util/frozen';
import { dirname } from 'node:path';
import { InvalidArgumentError } from '../errors';
import { HostTunerPermissionError } from './errors';
import { evaluate, type HostItem } from './host-items';
import { planHost, type HostPlan, type ThpBoot } from './host-plan';
import { HostRoot } from './host-root';
import { HOST_SETTINGS, PATHS, SYSCTL_KEYS, selectedMode, setLine, type HostSettingName, type SysctlSettingName } from './host-settings';
import { readSnapshot } from './host-snapshot';
import { RC_LOCAL, THP_UNIT, THP_UNIT_LINK, rcLocalWithNever } from './thp-boot';

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
  /** A live redis-server pid: inspect() also reads its /proc/PID/limits and its user. */
  pid?: number;
  /**
   * The user redis-server runs as, whose limits.conf lines count.
   * @defaultValue the pid's user, else 'redis'
   */
  user?: string;
  /**
   * Which settings to manage.
   * @defaultValue ['nofile', 'somaxconn', 'overcommit', 'thp']
   */
  settings?: readonly HostSettingName[];
  /**
   * Also persist (sysctl.d file, limits.d file, THP at boot); false changes only the running kernel.
   * @defaultValue true
   */
  persist?: boolean;
  /**
   * How THP stays `never` at boot: the runbook's /etc/rc.local, or a systemd oneshot unit.
   * @defaultValue 'rc.local'
   */
  thpBoot?: ThpBoot;
}

export const DEFAULT_HOST_TUNER_OPTIONS = frozen({
  root: '/',
  dryRun: false,
  settings: ['nofile', 'somaxconn', 'overcommit', 'thp'] as readonly HostSettingName[],
  persist: true,
  thpBoot: 'rc.local' as ThpBoot,
});

/** One value apply() replaced, so rollback() can put it back. */
export interface HostUndoEntry {
  /** Host path written (links followed). */
  file: string;
  kind: 'now' | 'persist' | 'link';
  /** The text (or, for /proc and /sys, the value) before; null when apply() created the file. */
  before: string | null;
}

export interface ApplyResult {
  dryRun: boolean;
  /** Files written (host paths). */
  changed: string[];
  /** Backup copies made before changing a file (real paths on this machine). */
  backups: string[];
  /** What was (or would be) done, one line each; manual steps start with "manual:". */
  preview: string[];
  /** The old /proc, /sys and file contents, newest last: pass to rollback() (serializable). */
  undo: HostUndoEntry[];
}

/** Section 4: inspect, plan, apply, verify (and roll back) the kernel and limits settings Redis wants. */
export class HostTuner {
  readonly options: typeof DEFAULT_HOST_TUNER_OPTIONS & Pick<HostTunerOptions, 'pid' | 'user'>;
  private readonly host: HostRoot;
  private lastUndo: HostUndoEntry[] = [];

  constructor(options: HostTunerOptions = {}) {
    this.options = { ...DEFAULT_HOST_TUNER_OPTIONS, ...stripUndefined(options) };
    for (const name of this.options.settings) {
      if (!(name in HOST_SETTINGS)) throw new InvalidArgumentError('settings', name, 'not a host setting', 'Use nofile, somaxconn, overcommit or thp.');
    }
    if (this.options.pid !== undefined && (!Number.isInteger(this.options.pid) || this.options.pid <= 0)) {
      throw new InvalidArgumentError('pid', this.options.pid, 'not a process id', 'Pass the pid of a running redis-server.');
    }
    if (this.options.user !== undefined && !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(this.options.user)) {
      throw new InvalidArgumentError('user', this.options.user, 'not a user name', 'Pass the name redis-server runs as, e.g. redis.');
    }
    if (this.options.thpBoot !== 'rc.local' && this.options.thpBoot !== 'systemd') {
      throw new InvalidArgumentError('thpBoot', this.options.thpBoot, 'not a boot method', "Use 'rc.local' or 'systemd'.");
    }
    this.host = new HostRoot(this.options.root);
  }

  async inspect(): Promise<HostItem[]> {
    return evaluate(this.snapshot(), this.options.settings, this.options.persist);
  }

  /** The edits that bring every managed setting to its wanted value (never lowering one), and the steps left to the operator. */
  async plan(): Promise<HostPlan> {
    const snapshot = this.snapshot();
    return planHost(snapshot, evaluate(snapshot, this.options.settings, this.options.persist), { persist: this.options.persist, thpBoot: this.options.thpBoot });
  }

  /**
   * Applies a plan: checks it may write every file first (else HostTunerPermissionError, nothing
   * written), backs each changed config file up (FILE.redis-cluster-ops.bak), records every old
   * value for rollback(), edits only its known files and lines. With dryRun, only the preview.
   */
  async apply(plan?: HostPlan): Promise<ApplyResult> {
    const { edits, manual = [] } = plan ?? (await this.plan());
    const known = new Set<string>([PATHS.somaxconn, PATHS.overcommit, PATHS.thp, PATHS.limitsFile, PATHS.sysctlFile, RC_LOCAL, THP_UNIT]);
    for (const edit of edits) {
      if (!known.has(edit.file)) throw new InvalidArgumentError('plan', edit.file, 'not a file HostTuner manages', 'Pass a plan made by plan().');
    }
    const preview = [
      ...edits.map((edit) => `${edit.kind === 'now' ? 'set' : 'persist'} ${edit.setting}: ${edit.file} <- ${edit.content.trim().replace(/\n/g, ' | ')}   (${edit.command.replace(/\n/g, '; ')})`),
      ...manual.map((step) => `manual: ${step.message}${step.command === undefined ? '' : `   (${step.command})`}`),
    ];
    if (this.options.dryRun) return { dryRun: true, changed: [], backups: [], preview, undo: [] };

    for (const edit of edits) this.assertWritable(this.host.resolve(edit.file));
    // Back up only what the host had before this run, not files this run creates.
    const existedBefore = new Set(edits.map((edit) => this.host.resolve(edit.file)).filter((file) => existsSync(this.host.path(file))));
    const changed = new Set<string>();
    const backups: string[] = [];
    const undo: HostUndoEntry[] = [];
    for (const edit of edits) {
      const file = this.host.resolve(edit.file);
      const path = this.host.path(file);
      const before = existsSync(path) ? readFileSync(path, 'utf8') : null;
      if (edit.kind === 'now') {
        undo.push({ file, kind: 'now', before: before === null ? null : edit.setting === 'thp' ? selectedMode(before) : before.trim() });
        writeFileSync(path, `${edit.content}\n`);
        changed.add(edit.file);
        continue;
      }
      const after = this.persisted(edit.setting, edit.file, edit.content, before ?? '');
      if (after === (before ?? '')) continue;
      if (existedBefore.has(file)) {
        const backup = `${path}.redis-cluster-ops.bak`;
        if (!existsSync(backup)) {
          copyFileSync(path, backup);
          backups.push(backup);
        }
      }
      undo.push({ file, kind: 'persist', before });
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, after);
      if (edit.file === RC_LOCAL) chmodSync(path, 0o755);
      if (edit.file === THP_UNIT && this.host.read(THP_UNIT_LINK) === undefined) {
        mkdirSync(dirname(this.host.path(THP_UNIT_LINK)), { recursive: true });
        symlinkSync(THP_UNIT, this.host.path(THP_UNIT_LINK));
        undo.push({ file: THP_UNIT_LINK, kind: 'link', before: null });
      }
      changed.add(edit.file);
    }
    this.lastUndo = undo;
    return { dryRun: false, changed: [...changed], backups, preview, undo };
  }

  /**
   * Puts back what apply() changed, newest first: the old /proc and /sys values, the old file
   * contents (files apply() created are removed). Defaults to this tuner's last apply().
   */
  async rollback(undo: readonly HostUndoEntry[] = this.lastUndo): Promise<{ restored: string[] }> {
    for (const entry of undo) this.assertWritable(entry.file);
    const restored: string[] = [];
    for (const entry of [...undo].reverse()) {
      const path = this.host.path(entry.file);
      if (entry.before === null) {
        if (existsSync(path) || entry.kind === 'link') unlinkSync(path);
      } else writeFileSync(path, entry.kind === 'now' ? `${entry.before}\n` : entry.before);
      restored.push(entry.file);
    }
    if (undo === this.lastUndo) this.lastUndo = [];
    return { restored };
  }

  /** inspect(), then whether every managed setting is as wanted now and at the next boot. */
  async verify(): Promise<{ ok: boolean; items: HostItem[] }> {
    const items = await this.inspect();
    return { ok: items.every((item) => item.ok), items };
  }

  private snapshot(): ReturnType<typeof readSnapshot> {
    return readSnapshot(this.host, { ...(this.options.pid === undefined ? {} : { pid: this.options.pid }), ...(this.options.user === undefined ? {} : { user: this.options.user }) });
  }

  /** Pure over `before`: the file text after one persist edit. */
  private persisted(setting: HostSettingName, file: string, content: string, before: string): string {
    if (file === RC_LOCAL) return rcLocalWithNever(before);
    if (file === THP_UNIT) return content;
    if (setting === 'nofile') {
      let after = before;
      for (const line of content.split('\n')) {
        const [domain = '*', type = 'soft'] = line.split(/\s+/);
        after = setLine(after, new RegExp(`^\\s*${domain.replace(/[*.]/g, '\\$&')}\\s+(${type}|-)\\s+nofile\\s`), line);
      }
      return after;
    }
    const key = SYSCTL_KEYS[setting as SysctlSettingName];
    return setLine(before, new RegExp(`^\\s*-?${key.replace(/\./g, '\\.')}\\s*=`), content);
  }

  private assertWritable(hostPath: string): void {
    let target = this.host.path(hostPath);
    while (!existsSync(target) && dirname(target) !== target) target = dirname(target);
    try {
      accessSync(target, constants.W_OK);
    } catch (error) {
      throw new HostTunerPermissionError(hostPath, (error as NodeJS.ErrnoException).code ?? 'not writable');
    }
  }
}
