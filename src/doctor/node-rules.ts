import type { CheckReport } from '../topology/check-rules';
import { REMEDIES, type Finding, type FindingCode } from './finding';
import type { HostEvidence, NodeEvidence } from './evidence';

const finding = (code: FindingCode, severity: Finding['severity'], node: Pick<NodeEvidence, 'nodeId' | 'address'> | undefined, evidence: string): Finding => ({
  code,
  severity,
  ...(node?.nodeId === undefined ? {} : { nodeId: node.nodeId }),
  ...(node === undefined ? {} : { address: node.address }),
  evidence,
  remedy: REMEDIES[code],
});

/** Pure: findings from a node's INFO and CONFIG GET. */
export function nodeFindings(node: NodeEvidence, host: HostEvidence): Finding[] {
  const findings: Finding[] = [];
  if (!node.reachable) {
    findings.push(finding('node-unreachable', 'error', node, `${node.address} did not answer`));
    return findings;
  }
  if (node.info['rdb_last_bgsave_status'] === 'err') findings.push(finding('bgsave-error', 'error', node, 'INFO persistence rdb_last_bgsave_status:err'));
  if (node.info['aof_last_bgrewrite_status'] === 'err' || node.info['aof_last_write_status'] === 'err') {
    findings.push(finding('bgsave-error', 'error', node, `INFO persistence aof_last_write_status:${node.info['aof_last_write_status']} aof_last_bgrewrite_status:${node.info['aof_last_bgrewrite_status']}`));
  }
  const delayed = Number(node.info['aof_delayed_fsync'] ?? 0);
  if (delayed > 0) findings.push(finding('aof-fsync-slow', 'warning', node, `INFO persistence aof_delayed_fsync:${delayed}`));
  const fullSyncs = Number(node.info['sync_full'] ?? 0);
  const replicas = Number(node.info['connected_slaves'] ?? 0);
  if (node.role === 'master' && fullSyncs - replicas >= 3) {
    findings.push(finding('replication-loop', 'error', node, `INFO stats sync_full:${fullSyncs} with ${replicas} replica(s) connected`));
  }
  // A replica's first sync after CLUSTER REPLICATE counts as one refused partial sync: only more is a symptom.
  if (Number(node.info['sync_partial_err'] ?? 0) - replicas >= 2 && node.role === 'master') {
    findings.push(finding('lack-of-backlog', 'warning', node, `INFO stats sync_partial_err:${node.info['sync_partial_err']} (partial resyncs refused)`));
  }
  if (node.config['cluster-require-full-coverage'] === 'yes') findings.push(finding('full-coverage-required', 'warning', node, 'CONFIG GET cluster-require-full-coverage: yes'));
  const backlog = Number(node.config['tcp-backlog'] ?? 0);
  if (host.somaxconn !== undefined && backlog > host.somaxconn) {
    findings.push(finding('tcp-backlog-over-somaxconn', 'warning', node, `tcp-backlog ${backlog} > net.core.somaxconn ${host.somaxconn}`));
  }
  return findings;
}

/** Pure: host-wide findings (once per diagnosis). */
export function hostFindings(host: HostEvidence): Finding[] {
  const findings: Finding[] = [];
  if (host.thp !== undefined && host.thp !== 'never') findings.push(finding('thp-enabled', 'warning', undefined, `transparent_hugepage/enabled: ${host.thp}`));
  if (host.overcommit === 0) findings.push(finding('overcommit-zero', 'warning', undefined, 'vm.overcommit_memory = 0'));
  return findings;
}

/** Pure: topology findings, from check(): masters without replicas, replicas on their master's host. */
export function clusterFindings(report: CheckReport): Finding[] {
  return report.problems
    .filter((problem) => problem.code === 'master-without-replica' || problem.code === 'replica-same-host')
    .map((problem) =>
      finding(
        problem.code as FindingCode,
        'warning',
        { ...(problem.nodeId === undefined ? {} : { nodeId: problem.nodeId }), address: problem.address ?? '' },
        problem.message,
      ),
    );
}
