import { HostRoot } from './host-root';
import { PATHS, processNofile, selectedMode } from './host-settings';
import { LIMITS_CONF, LIMITS_DIR, orderLimitsFiles, type LimitsFile, type LimitsSubject } from './limits-order';
import { SYSCTL_CONF, SYSCTL_DIRS, orderSysctlFiles, withSysctlConf, type SysctlFile } from './sysctl-order';
import { RC_LOCAL, THP_UNIT, THP_UNIT_LINK } from './thp-boot';

/** Everything HostTuner reads from a host, as plain data (the decisions over it are pure). */
export interface HostSnapshot {
  /** Running kernel values. */
  now: { somaxconn?: string; overcommit?: string; thp?: string };
  /** sysctl files in boot order (systemd-sysctl), /etc/sysctl.conf last when nothing links to it. */
  sysctlFiles: SysctlFile[];
  /** limits.conf, then limits.d/*.conf, in pam_limits order. */
  limitsFiles: LimitsFile[];
  /** Whose limits count, and how we know. */
  subject: LimitsSubject & { source: string };
  /** The live redis-server, when a pid was given. */
  process?: { pid: number; running: boolean; soft?: string; hard?: string };
  rcLocal?: string;
  rcLocalExecutable: boolean;
  /** Our THP unit is installed and enabled. */
  thpUnit: boolean;
}

export interface SnapshotOptions {
  pid?: number;
  user?: string;
}

/** Reads a host (under its root) into a snapshot. */
export function readSnapshot(root: HostRoot, options: SnapshotOptions): HostSnapshot {
  const trimmed = (path: string): string | undefined => root.read(path)?.trim();
  const thp = root.read(PATHS.thp);
  const sysctlFiles = withSysctlConf(
    orderSysctlFiles(SYSCTL_DIRS.map((dir) => ({ dir, names: root.list(dir) }))).map((path) => {
      const target = root.resolve(path);
      return { path, target, text: root.read(path) ?? '' };
    }),
    root.read(SYSCTL_CONF),
  );
  const limitsFiles = orderLimitsFiles(
    root.read(LIMITS_CONF),
    root.list(LIMITS_DIR).map((name) => ({ name, text: root.read(`${LIMITS_DIR}/${name}`) ?? '' })),
  );
  let process: HostSnapshot['process'];
  let uid: string | undefined;
  if (options.pid !== undefined) {
    const limits = root.read(`/proc/${options.pid}/limits`);
    const status = root.read(`/proc/${options.pid}/status`);
    uid = status === undefined ? undefined : /^Uid:\s+(\d+)/m.exec(status)?.[1];
    const nofile = limits === undefined ? undefined : processNofile(limits);
    process = { pid: options.pid, running: limits !== undefined, ...(nofile === undefined ? {} : { soft: nofile.soft, hard: nofile.hard }) };
  }
  const unitLink = root.read(THP_UNIT_LINK);
  return {
    now: {
      ...(trimmed(PATHS.somaxconn) === undefined ? {} : { somaxconn: trimmed(PATHS.somaxconn) }),
      ...(trimmed(PATHS.overcommit) === undefined ? {} : { overcommit: trimmed(PATHS.overcommit) }),
      ...(thp === undefined ? {} : { thp: selectedMode(thp) }),
    },
    sysctlFiles,
    limitsFiles,
    subject: subjectOf(root, options.user, uid),
    ...(process === undefined ? {} : { process }),
    ...(root.read(RC_LOCAL) === undefined ? {} : { rcLocal: root.read(RC_LOCAL) as string }),
    rcLocalExecutable: root.executable(RC_LOCAL),
    thpUnit: unitLink !== undefined && root.read(THP_UNIT) !== undefined,
  };
}

/** The user Redis runs as (option, else the pid's uid in /etc/passwd, else `redis`) and its groups from /etc/group. */
function subjectOf(root: HostRoot, user: string | undefined, uid: string | undefined): HostSnapshot['subject'] {
  const passwd = (root.read(PATHS.passwd) ?? '').split('\n').map((line) => line.split(':'));
  let name = user;
  let source = user === undefined ? '' : 'the user option';
  if (name === undefined && uid !== undefined) {
    name = passwd.find((fields) => fields[2] === uid)?.[0] ?? (uid === '0' ? 'root' : undefined);
    if (name !== undefined) source = `the uid (${uid}) of the redis-server process`;
  }
  if (name === undefined) {
    name = 'redis';
    source = 'the default (pass user or pid to be sure)';
  }
  const gid = passwd.find((fields) => fields[0] === name)?.[3];
  const groups = (root.read(PATHS.group) ?? '')
    .split('\n')
    .map((line) => line.split(':'))
    .filter((fields) => fields[2] === gid || (fields[3] ?? '').split(',').includes(name as string))
    .map((fields) => fields[0] as string);
  return { user: name, groups, source };
}
