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
  | 'node-noaddr';

export interface Finding {
  code: FindingCode;
  severity: 'error' | 'warning' | 'info';
  nodeId?: string;
  address?: string;
  /** What was seen: a log line, an INFO or CONFIG field and its value. */
  evidence: string;
  /** What to do, in the runbook's words, with its section. */
  remedy: string;
}

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
};
