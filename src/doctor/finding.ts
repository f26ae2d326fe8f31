/** Stable codes of what diagnose() finds (runbook section in the remedy). */
export type FindingCode =
  | 'aof-corrupt'
  | 'stale-cluster-config'
  | 'lack-of-backlog'
  | 'output-buffer-overrun'
  | 'replication-loop'
  | 'aof-fsync-slow'
  | 'bgsave-error'
  | 'failover-auth-repeated'
  | 'tcp-backlog-over-somaxconn'
  | 'thp-enabled'
  | 'overcommit-zero'
  | 'full-coverage-required'
  | 'master-without-replica'
  | 'replica-same-host'
  | 'node-unreachable'
  | 'node-noaddr'
  | 'cluster-down'
  | 'uncovered-slots'
  | 'fork-failed'
  | 'bgsave-killed'
  | 'aof-write-error'
  | 'aof-rewrite-failed'
  | 'open-files-limit'
  | 'oom-rejected'
  | 'master-link-down'
  | 'replica-sync-timeout'
  | 'connection-lost'
  | 'failover-blocked'
  | 'fork-slow'
  | 'rejected-connections'
  | 'overcommit-strict'
  | 'host-not-inspected';

export interface Finding {
  code: FindingCode;
  severity: 'error' | 'warning' | 'info';
  nodeId?: string;
  address?: string;
  /** What was seen: a log line, an INFO or CONFIG field and its value, with counts and time spans. */
  evidence: string;
  /** What to do, in the runbook's words, with its section. */
  remedy: string;
  /** The runbook section(s) the remedy comes from, e.g. "24.4" or "4". */
  section?: string;
  /** For log findings: how many matching lines, and the log's own timestamps of the first and last. */
  window?: { count: number; first?: string; last?: string };
}

/** The runbook section(s) of each code's remedy (a code without an entry gets its section from its remedy text). */
export const RUNBOOK_SECTIONS: Readonly<Partial<Record<FindingCode, string>>> = {
  'aof-corrupt': '24.1',
  'stale-cluster-config': '24.2',
  'lack-of-backlog': '24.3',
  'output-buffer-overrun': '24.3',
  'replication-loop': '24.4',
  'aof-fsync-slow': '24.5',
  'bgsave-error': '24.6',
  'failover-auth-repeated': '24.7',
  'tcp-backlog-over-somaxconn': '4',
  'thp-enabled': '4',
  'overcommit-zero': '4',
  'full-coverage-required': '7',
  'master-without-replica': '3, 13',
  'replica-same-host': '3',
  'node-unreachable': '13',
  'cluster-down': '7, 13, 14',
  'uncovered-slots': '14, 16',
  'fork-failed': '4, 24.6',
  'bgsave-killed': '4, 24.6',
  'aof-write-error': '5-7, 24.6',
  'aof-rewrite-failed': '4, 24.5',
  'open-files-limit': '4',
  'oom-rejected': '7',
  'master-link-down': '24.4',
  'replica-sync-timeout': '24.4',
  'connection-lost': '24.4, 24.7',
  'failover-blocked': '17, 24.7',
  'fork-slow': '4',
  'rejected-connections': '4, 7',
  'overcommit-strict': '4',
  'host-not-inspected': '4',
};

export const REMEDIES: Readonly<Record<FindingCode, string>> = {
  'aof-corrupt': '24.1: the AOF is corrupt. Back it up, run redis-check-aof --fix on it (the manifest in Redis 7), then start the node again.',
  'stale-cluster-config': '24.2: "ERR Slot N is already busy": the node is not empty (an old nodes.conf or data). Delete its cluster-config-file (nodes-PORT.conf) or run CLUSTER RESET, and FLUSHALL only if its data is disposable; use IPs, not host names, when creating.',
  'lack-of-backlog': '24.3: the replica fell too far behind for a partial resync. Raise repl-backlog-size on the master (1gb under load) and client-output-buffer-limit for replicas (e.g. "replica 2684354560 671088640 60").',
  'output-buffer-overrun': '24.3: the master dropped the replica for overrunning its output buffer. Raise client-output-buffer-limit for replicas (e.g. "replica 2684354560 671088640 60").',
  'replication-loop': '24.4: the replica keeps doing full resyncs. Raise client-output-buffer-limit for replicas and repl-timeout (60 under load); as a last resort remove the replica\'s rdb/aof and restart it.',
  'aof-fsync-slow': '24.5: the disk cannot keep up with AOF fsync. Set no-appendfsync-on-rewrite yes, a larger repl-backlog-size and client-output-buffer-limit, appendfsync no under load, or a faster disk.',
  'bgsave-error': '24.6: MISCONF: the last save to disk failed, and with stop-writes-on-bgsave-error yes writes are refused. Fix the disk (space, permissions, dir), then BGSAVE again.',
  'failover-auth-repeated': '24.7: failovers keep happening: node-to-node latency is too high or timeouts too tight. Raise cluster-node-timeout (15000) and repl-timeout; slower failover is the price.',
  'tcp-backlog-over-somaxconn': 'section 4: the kernel caps tcp-backlog at net.core.somaxconn. Raise somaxconn to 32767 (HostTuner) or lower tcp-backlog.',
  'thp-enabled': 'section 4: set transparent_hugepage/enabled to never now and at boot (HostTuner), then restart redis.',
  'overcommit-zero': 'section 4: set vm.overcommit_memory = 1 (HostTuner) so fork for BGSAVE / AOF rewrite does not fail.',
  'full-coverage-required': 'section 7: cluster-require-full-coverage yes stops the whole cluster when one slot is down; the runbook sets no.',
  'master-without-replica': 'sections 3 and 13: a master without a replica loses its slots with its host. Add a replica (addNode as replica, or FailoverController.rehomeReplicas).',
  'replica-same-host': 'section 3: a master and its replica on one host die together. Move the replica (topology.replicate) or spread masters (FailoverController.spreadMasters).',
  'node-unreachable': 'section 13: the node does not answer. If its host died, replace it (FailoverController.replaceNode) and forget it everywhere.',
  'node-noaddr':
    'section 13: another server (another node id) answered at this node\'s address, so the cluster dropped its address (noaddr): Redis never fails it over and its replicas resync from that server. ' +
    'Stop that server, then restart the node there from its own data and nodes.conf. Never fail over to a replica that resynced from it; a node without slots that is gone for good is forgotten with topology.forgetEverywhere(id).',
  'cluster-down': 'sections 7, 13, 14: CLUSTERDOWN: the cluster refuses commands because a slot has no working owner. Bring the failed master back or let its replica take over (FailoverController.failover / replaceNode), assign uncovered slots (topology.fix()); cluster-require-full-coverage no (section 7) keeps the other slots serving meanwhile.',
  'uncovered-slots': 'sections 14 and 16: slots with no owner answer CLUSTERDOWN. topology.fix() assigns them (CLUSTER ADDSLOTS on a master by hand); find why their owner disappeared first (a failed master without replica, a forgotten node).',
  'fork-failed': 'sections 4 and 24.6: redis could not fork for BGSAVE. "Cannot allocate memory": set vm.overcommit_memory = 1 (HostTuner) and keep maxmemory well under RAM; "Resource temporarily unavailable": a process limit (nproc, a cgroup pids.max) is reached, raise it. Then BGSAVE again: MISCONF refuses writes until a save succeeds.',
  'bgsave-killed': 'sections 4 and 24.6: the save child was killed (signal 9 is usually the kernel OOM killer: check dmesg). Leave memory for copy-on-write (maxmemory well under RAM, THP never, overcommit 1), then BGSAVE again.',
  'aof-write-error': 'sections 5-7 and 24.6: redis cannot write its AOF (a full disk: "No space left on device", or a failing one) and refuses writes until it can. Free space on the filesystem of dir (or move dir to a larger disk); redis retries by itself and logs "AOF write error looks solved". With appendfsync always it exits instead.',
  'aof-rewrite-failed': 'sections 4 and 24.5: the AOF rewrite failed (fork refused, or the child killed): the AOF keeps growing. Fix the fork (vm.overcommit_memory = 1, memory headroom, process limits), keep no-appendfsync-on-rewrite yes, then BGREWRITEAOF.',
  'open-files-limit': 'section 4: redis is short of file descriptors: it lowered maxclients at start or refuses connections ("Too many open files"). Raise nofile to 102400 (HostTuner; LimitNOFILE= for a systemd service) and restart redis-server.',
  'oom-rejected': 'section 7: used_memory reached maxmemory and writes are refused with "OOM command not allowed". Raise maxmemory (bytes, leaving room for fork), make sure keys can be evicted (volatile-lru only evicts keys with a TTL), or delete data you do not need.',
  'master-link-down': 'section 24.4: the replica has lost its master (master_link_status:down). Check the master is up and reachable, repl-timeout (60 under load) and the replica\'s log for the reason; a replica that stays down serves stale data and cannot take over.',
  'replica-sync-timeout': 'section 24.4: replication timed out ("Timeout receiving bulk data", "MASTER timeout"). Raise repl-timeout (60 under load, above repl-ping-replica-period) and client-output-buffer-limit for replicas; check the network between master and replica.',
  'connection-lost': 'sections 24.4 and 24.7: master-replica links keep breaking. Check the network (drops, resets) and node latency; raise repl-timeout and cluster-node-timeout if links are just slow.',
  'failover-blocked': 'sections 17 and 24.7: a failover could not proceed. "can\'t vote about this master": a master votes once per shard per 2 x cluster-node-timeout, wait that long between failovers of one shard; "Disconnected from master for longer than allowed": the runbook sets cluster-replica-validity-factor 0; "Waiting for votes": a majority of masters must be reachable.',
  'fork-slow': 'section 4: fork is slow (latest_fork_usec): redis stops serving for that long at every BGSAVE / AOF rewrite. Set THP to never, keep instances smaller (maxmemory), avoid hypervisors with slow fork.',
  'rejected-connections': 'sections 4 and 7: connections were refused at maxclients (rejected_connections). Raise maxclients (10000 in the runbook) with nofile above it (HostTuner), or find the client leaking connections.',
  'overcommit-strict': 'section 4: vm.overcommit_memory = 2 refuses fork for BGSAVE / AOF rewrite whenever the commit limit is short. Set vm.overcommit_memory = 1 (HostTuner).',
  'host-not-inspected': 'section 4: the host settings of these nodes were not read: /proc and /sys here belong to the machine running this program. Pass logFiles (redis logs its own THP, overcommit and somaxconn warnings at start) or run HostTuner on each Redis host.',
};

/** Rate thresholds of the log and INFO rules: a symptom counts when it repeats inside a window. */
export interface DoctorThresholds {
  /** Full resyncs of one replica (master log), or of a replica from its master (replica log). @defaultValue { count: 3, minutes: 30 } */
  fullSyncs: { count: number; minutes: number };
  /** "Failover auth granted" votes by one master. @defaultValue { count: 3, minutes: 10 } */
  failoverVotes: { count: number; minutes: number };
  /** Lost master/replica links. @defaultValue { count: 5, minutes: 10 } */
  connectionLost: { count: number; minutes: number };
  /** "Currently unable to failover" for a reason that also happens in a normal failover. @defaultValue { count: 3, minutes: 5 } */
  failoverStalls: { count: number; minutes: number };
  /** latest_fork_usec from which fork counts as slow. @defaultValue 500000 */
  forkUsec: number;
}

export const DEFAULT_DOCTOR_THRESHOLDS: DoctorThresholds = Object.freeze({
  fullSyncs: { count: 3, minutes: 30 },
  failoverVotes: { count: 3, minutes: 10 },
  connectionLost: { count: 5, minutes: 10 },
  failoverStalls: { count: 3, minutes: 5 },
  forkUsec: 500_000,
});

/** The section of a code's remedy: its entry, else the leading "24.4:" / "section 4:" of the remedy text. */
export function sectionOf(code: FindingCode): string {
  return RUNBOOK_SECTIONS[code] ?? /^(?:sections? )?([\d., and-]+?):/.exec(REMEDIES[code])?.[1]?.trim() ?? '';
}
