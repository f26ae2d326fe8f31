import { compareVersions } from '../util/version';

/** What kind of value a directive takes, for validation and normalisation. */
export type OptionKind = 'yes-no' | 'integer' | 'memory' | 'string' | 'file-name' | 'path' | 'enum' | 'save' | 'words';

export interface OptionSpec {
  kind: OptionKind;
  /** First Redis version that knows the directive (under its old slave-* name before 5.0). */
  since: string;
  /** The name before Redis 5.0 renamed slave-* to replica-*. */
  before5?: string;
  values?: readonly string[];
  /** True when the directive depends on the instance (rendered into redis-PORT.conf). */
  perPort?: boolean;
}

/** The directives the renderer writes or validates; anything else is refused as unknown. */
export const OPTION_CATALOG: Readonly<Record<string, OptionSpec>> = {
  port: { kind: 'integer', since: '2.0', perPort: true },
  'cluster-config-file': { kind: 'file-name', since: '3.0', perPort: true },
  pidfile: { kind: 'path', since: '2.0', perPort: true },
  dir: { kind: 'path', since: '2.0', perPort: true },
  dbfilename: { kind: 'file-name', since: '2.0', perPort: true },
  appendfilename: { kind: 'file-name', since: '2.0', perPort: true },
  logfile: { kind: 'path', since: '2.0', perPort: true },
  'cluster-announce-ip': { kind: 'string', since: '4.0', perPort: true },
  'cluster-announce-hostname': { kind: 'string', since: '7.0', perPort: true },
  bind: { kind: 'words', since: '2.0' },
  'cluster-enabled': { kind: 'yes-no', since: '3.0' },
  loglevel: { kind: 'enum', since: '2.0', values: ['debug', 'verbose', 'notice', 'warning'] },
  maxclients: { kind: 'integer', since: '2.6' },
  timeout: { kind: 'integer', since: '2.0' },
  'cluster-node-timeout': { kind: 'integer', since: '3.0' },
  'cluster-replica-validity-factor': { kind: 'integer', since: '3.0', before5: 'cluster-slave-validity-factor' },
  'repl-timeout': { kind: 'integer', since: '2.4' },
  'repl-ping-replica-period': { kind: 'integer', since: '2.4', before5: 'repl-ping-slave-period' },
  'replica-read-only': { kind: 'yes-no', since: '2.6', before5: 'slave-read-only' },
  'replica-serve-stale-data': { kind: 'yes-no', since: '2.2', before5: 'slave-serve-stale-data' },
  'replica-priority': { kind: 'integer', since: '2.6', before5: 'slave-priority' },
  'aof-use-rdb-preamble': { kind: 'yes-no', since: '4.0' },
  appendonly: { kind: 'yes-no', since: '2.0' },
  appendfsync: { kind: 'enum', since: '2.0', values: ['always', 'everysec', 'no'] },
  daemonize: { kind: 'yes-no', since: '2.0' },
  'protected-mode': { kind: 'yes-no', since: '3.2' },
  'tcp-backlog': { kind: 'integer', since: '2.8' },
  'auto-aof-rewrite-percentage': { kind: 'integer', since: '2.4' },
  'auto-aof-rewrite-min-size': { kind: 'memory', since: '2.4' },
  'no-appendfsync-on-rewrite': { kind: 'yes-no', since: '2.2' },
  'stop-writes-on-bgsave-error': { kind: 'yes-no', since: '2.6' },
  'cluster-require-full-coverage': { kind: 'yes-no', since: '3.0' },
  'cluster-allow-replica-migration': { kind: 'yes-no', since: '7.0' },
  maxmemory: { kind: 'memory', since: '2.0' },
  'maxmemory-policy': {
    kind: 'enum',
    since: '2.0',
    values: ['volatile-lru', 'allkeys-lru', 'volatile-lfu', 'allkeys-lfu', 'volatile-random', 'allkeys-random', 'volatile-ttl', 'noeviction'],
  },
  'client-output-buffer-limit': { kind: 'words', since: '2.6' },
  'cluster-migration-barrier': { kind: 'integer', since: '3.0' },
  'repl-backlog-size': { kind: 'memory', since: '2.8' },
  'repl-backlog-ttl': { kind: 'integer', since: '2.8' },
  'repl-diskless-sync': { kind: 'yes-no', since: '2.8' },
  save: { kind: 'save', since: '2.0' },
  requirepass: { kind: 'string', since: '2.0' },
  masterauth: { kind: 'string', since: '2.0' },
};

/** Directives whose values are secrets: never in warnings, errors or logs. */
export const SECRET_OPTIONS: ReadonlySet<string> = new Set(['requirepass', 'masterauth']);

/** Compares dotted versions: -1, 0, 1. */
export { compareVersions };

/** The directive's name in the target version (slave-* before 5.0). */
export function nameForVersion(name: string, version: string): string {
  const spec = OPTION_CATALOG[name];
  return spec?.before5 !== undefined && compareVersions(version, '5.0') < 0 ? spec.before5 : name;
}

/** The catalog name for a directive written under either name. */
export function canonicalName(name: string): string {
  const lower = name.toLowerCase();
  for (const [canonical, spec] of Object.entries(OPTION_CATALOG)) if (spec.before5 === lower) return canonical;
  return lower;
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1000, kb: 1024, m: 1e6, mb: 1024 ** 2, g: 1e9, gb: 1024 ** 3 };

/** Bytes of a Redis memory size (`64mb`, `1gb`, `2684354560`), or undefined when malformed. */
export function parseMemory(value: string): number | undefined {
  const match = /^(\d+)([a-z]*)$/i.exec(value.trim());
  if (match === null) return undefined;
  const unit = UNITS[(match[2] ?? '').toLowerCase()];
  return unit === undefined ? undefined : Number(match[1]) * unit;
}
