import type { CheckReport } from '../topology/check-rules';
import { DEFAULT_DOCTOR_THRESHOLDS, REMEDIES, sectionOf, type DoctorThresholds, type Finding, type FindingCode } from './finding';
import type { HostEvidence, NodeEvidence } from './evidence';

const finding = (code: FindingCode, severity: Finding['severity'], node: Pick<NodeEvidence, 'nodeId' | 'address'> | undefined, evidence: string): Finding => ({
  code,
  severity,
  ...(node?.nodeId === undefined ? {} : { nodeId: node.nodeId }),
  ...(node === undefined ? {} : { address: node.address }),
  evidence,
  remedy: REMEDIES[code],
  section: sectionOf(code),
});

const number = (info: Record<string, string>, key: string): number | undefined => (info[key] === undefined ? undefined : Number(info[key]));

/** Pure: findings from a node's INFO and CONFIG GET. */
export function nodeFindings(node: NodeEvidence, host: HostEvidence, thresholds: DoctorThresholds = DEFAULT_DOCTOR_THRESHOLDS): Finding[] {
  const findings: Finding[] = [];
  const add = (code: FindingCode, severity: Finding['severity'], evidence: string): void => {
    findings.push(finding(code, severity, node, evidence));
  };
  if (!node.reachable) {
    add('node-unreachable', 'error', `${node.address} did not answer`);
    return findings;
  }
  const info = node.info;
  if (info['rdb_last_bgsave_status'] === 'err') add('bgsave-error', 'error', 'INFO persistence rdb_last_bgsave_status:err');
  if (info['aof_last_write_status'] === 'err') add('aof-write-error', 'error', `INFO persistence aof_last_write_status:err (aof_enabled:${info['aof_enabled'] ?? '?'})`);
  if (info['aof_last_bgrewrite_status'] === 'err') add('aof-rewrite-failed', 'error', 'INFO persistence aof_last_bgrewrite_status:err');
  const delayed = number(info, 'aof_delayed_fsync') ?? 0;
  if (delayed > 0) add('aof-fsync-slow', 'warning', `INFO persistence aof_delayed_fsync:${delayed}`);

  // INFO counters cover the whole uptime: only a rate above the window's threshold is a loop.
  const uptimeMin = Math.max(1, (number(info, 'uptime_in_seconds') ?? 0) / 60);
  const replicas = number(info, 'connected_slaves') ?? 0;
  const extraFullSyncs = (number(info, 'sync_full') ?? 0) - replicas;
  const { count, minutes } = thresholds.fullSyncs;
  if (node.role === 'master' && extraFullSyncs >= count && extraFullSyncs / Math.max(uptimeMin, minutes) >= count / minutes) {
    add('replication-loop', 'error', `INFO stats sync_full:${info['sync_full']} with ${replicas} replica(s) connected, in ${Math.round(uptimeMin)} min of uptime`);
  }
  // A replica's first sync after CLUSTER REPLICATE counts as one refused partial sync: only more is a symptom.
  const refused = (number(info, 'sync_partial_err') ?? 0) - replicas;
  if (node.role === 'master' && refused >= 2 && refused / Math.max(uptimeMin, minutes) >= 2 / minutes) {
    add('lack-of-backlog', 'warning', `INFO stats sync_partial_err:${info['sync_partial_err']} (partial resyncs refused) in ${Math.round(uptimeMin)} min of uptime`);
  }

  const oom = /count=(\d+)/.exec(info['errorstat_OOM'] ?? '')?.[1];
  const used = number(info, 'used_memory');
  const maxmemory = number(info, 'maxmemory') ?? 0;
  const full = maxmemory > 0 && used !== undefined && used >= maxmemory;
  if (oom !== undefined || (full && info['maxmemory_policy'] === 'noeviction')) {
    add(
      'oom-rejected',
      full ? 'error' : 'warning',
      `${oom === undefined ? '' : `INFO errorstats errorstat_OOM:count=${oom}; `}used_memory:${used ?? '?'} maxmemory:${maxmemory} maxmemory_policy:${info['maxmemory_policy'] ?? '?'}${full ? ' (at the limit now)' : ' (below the limit now)'}`,
    );
  }
  if (info['role'] === 'slave' && info['master_link_status'] === 'down') {
    add('master-link-down', 'error', `INFO replication master_link_status:down for ${info['master_link_down_since_seconds'] ?? '?'} s (master ${info['master_host'] ?? '?'}:${info['master_port'] ?? '?'}, sync in progress: ${info['master_sync_in_progress'] ?? '?'})`);
  }
  const forkUsec = number(info, 'latest_fork_usec') ?? 0;
  if (forkUsec >= thresholds.forkUsec) add('fork-slow', 'warning', `INFO stats latest_fork_usec:${forkUsec} (${(forkUsec / 1000).toFixed(0)} ms with every client waiting)`);
  const rejected = number(info, 'rejected_connections') ?? 0;
  if (rejected > 0) {
    add('rejected-connections', 'warning', `INFO stats rejected_connections:${rejected} (${(rejected / (uptimeMin / 60)).toFixed(1)}/h over ${Math.round(uptimeMin)} min of uptime); connected_clients:${info['connected_clients'] ?? '?'}${node.config['maxclients'] === undefined ? '' : ` maxclients:${node.config['maxclients']}`}`);
  }

  if (node.config['cluster-require-full-coverage'] === 'yes') add('full-coverage-required', 'warning', 'CONFIG GET cluster-require-full-coverage: yes');
  const backlog = Number(node.config['tcp-backlog'] ?? 0);
  if (node.hostRead !== false && host.somaxconn !== undefined && backlog > host.somaxconn) {
    add('tcp-backlog-over-somaxconn', 'warning', `tcp-backlog ${backlog} > net.core.somaxconn ${host.somaxconn}${host.source === undefined ? '' : ` (read on ${host.source})`}`);
  }
  return findings;
}

/** Pure: host-wide findings (once per diagnosis), for the nodes whose host was read (`nodes`, when given). */
export function hostFindings(host: HostEvidence, nodes?: readonly string[]): Finding[] {
  const findings: Finding[] = [];
  const where = host.source === undefined ? '' : ` (read on ${host.source}${nodes === undefined ? '' : `, where ${nodes.join(', ')} run`})`;
  if (host.thp !== undefined && host.thp !== 'never') findings.push(finding('thp-enabled', 'warning', undefined, `transparent_hugepage/enabled: ${host.thp}${where}`));
  if (host.overcommit === 0) findings.push(finding('overcommit-zero', 'warning', undefined, `vm.overcommit_memory = 0${where}`));
  if (host.overcommit === 2) findings.push(finding('overcommit-strict', 'warning', undefined, `vm.overcommit_memory = 2${where}`));
  return findings;
}

const FROM_CHECK: Partial<Record<string, { code: FindingCode; severity: Finding['severity'] }>> = {
  'master-without-replica': { code: 'master-without-replica', severity: 'warning' },
  'replica-same-host': { code: 'replica-same-host', severity: 'warning' },
  'cluster-state-fail': { code: 'cluster-down', severity: 'error' },
  'uncovered-slots': { code: 'uncovered-slots', severity: 'error' },
};

/** Pure: topology findings from check(): CLUSTERDOWN, uncovered slots, masters without replicas, replicas on their master's host. */
export function clusterFindings(report: CheckReport): Finding[] {
  const result: Finding[] = [];
  for (const problem of report.problems) {
    const mapped = FROM_CHECK[problem.code];
    if (mapped === undefined) continue;
    const node = problem.address === undefined && problem.nodeId === undefined ? undefined : { ...(problem.nodeId === undefined ? {} : { nodeId: problem.nodeId }), address: problem.address ?? '' };
    result.push(finding(mapped.code, mapped.severity, node, mapped.code === 'cluster-down' ? `CLUSTER INFO: ${problem.message.replace(/^Node \S+ reports /, '')} (commands get CLUSTERDOWN)` : problem.message));
  }
  return result;
}
