/** The runbook's configuration profiles (sections 5-7 and 23). Values are directive text. */
export type ProfileName = 'default' | 'high-load' | 'queue';

/** Section 7's table: the common redis.conf. maxmemory and its policy are added by the renderer. */
export const DEFAULT_PROFILE: Readonly<Record<string, string>> = Object.freeze({
  'cluster-enabled': 'yes',
  loglevel: 'notice',
  maxclients: '10000',
  timeout: '0',
  'cluster-node-timeout': '15000',
  'cluster-replica-validity-factor': '0',
  'repl-timeout': '10',
  'repl-ping-replica-period': '1',
  'replica-read-only': 'yes',
  'replica-serve-stale-data': 'yes',
  'replica-priority': '100',
  'aof-use-rdb-preamble': 'yes',
  appendonly: 'yes',
  appendfsync: 'no',
  daemonize: 'yes',
  'protected-mode': 'no',
  'tcp-backlog': '32767',
  'auto-aof-rewrite-percentage': '100',
  'auto-aof-rewrite-min-size': '64mb',
  'no-appendfsync-on-rewrite': 'yes',
  'stop-writes-on-bgsave-error': 'yes',
  'cluster-require-full-coverage': 'no',
  'client-output-buffer-limit': 'replica 256mb 64mb 60',
  'cluster-migration-barrier': '1',
  'repl-backlog-size': '1mb',
  'repl-backlog-ttl': '3600',
  save: '900 1 300 10 60 10000',
});

/** Section 23: minimums under high load (and 24.3's replica output buffer). */
export const HIGH_LOAD_PROFILE: Readonly<Record<string, string>> = {
  ...DEFAULT_PROFILE,
  'repl-ping-replica-period': '10',
  'repl-timeout': '60',
  'cluster-node-timeout': '15000',
  'repl-backlog-size': '1gb',
  appendfsync: 'no',
  save: '900 20 300 200 60 200000',
  'client-output-buffer-limit': 'replica 2684354560 671088640 60',
};

/** Section 23: a queue workload gets its own cluster, without AOF. */
export const QUEUE_PROFILE: Readonly<Record<string, string>> = {
  ...DEFAULT_PROFILE,
  appendonly: 'no',
};

export const PROFILES: Readonly<Record<ProfileName, Readonly<Record<string, string>>>> = {
  default: DEFAULT_PROFILE,
  'high-load': HIGH_LOAD_PROFILE,
  queue: QUEUE_PROFILE,
};

/** Why each section-23 value is what it is (for warnings and Doctor.advise). */
export const PROFILE_REASONS: Readonly<Record<string, string>> = {
  'repl-ping-replica-period': 'section 23: under load replicas ping less often (10 s) so pings do not crowd the link',
  'repl-timeout': 'section 23/24.4: a replica falls into a sync loop when repl-timeout (60 s under load) is too tight; it must exceed repl-ping-replica-period',
  'cluster-node-timeout': 'section 23/24.7: 15 s keeps slow nodes from being failed over ("Failover auth granted" repeating)',
  'repl-backlog-size': 'section 23/24.3: a 1 GB backlog lets a lagging replica resync partially instead of "for lack of backlog"',
  appendfsync: 'section 23/24.5: appendfsync no leaves fsync to the OS; "Asynchronous AOF fsync is taking too long" otherwise',
  save: 'section 23: fewer RDB snapshots under a heavy write rate',
  appendonly: 'section 23: a queue workload runs without AOF, in its own cluster',
  'client-output-buffer-limit': 'section 24.3: replicas need a large output buffer during a full sync',
};
