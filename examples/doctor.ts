/**
 * Doctor: a local cluster (set up as the runbook says: cluster-require-full-coverage no) with three
 * planted problems: cluster-require-full-coverage yes on one master, a master left without its
 * replica (the replica is killed), and slot 0 left without an owner (CLUSTERDOWN for its keys).
 * Diagnosed and printed with each finding's runbook section and, for log findings, its time window.
 */
import { LocalCluster, diagnose } from '../src/index';
import { pollUntil } from '../src/util/poll';

const local = await LocalCluster.start({ masters: 3, replicasPerMaster: 1, host: ['127.0.0.1', '127.0.0.2', '127.0.0.3'], nodeTimeoutMs: 1500, config: { 'cluster-require-full-coverage': 'no' } });
const topology = local.topology();
try {
  const state = await topology.refresh();
  const [first, second] = state.masters;
  await topology.pool.get(first!.address).configSet('cluster-require-full-coverage', 'yes');
  const replica = state.replicasOf(second!.id)[0]!;
  await local.killNode(replica.id);
  await pollUntil(async () => ({ done: (await topology.refresh()).node(replica.id)?.failed === true }), { timeoutMs: 20_000, operation: 'example' });
  for (const node of (await topology.refresh()).nodes.filter((n) => n.reachable)) await topology.pool.get(node.address).call(['CLUSTER', 'DELSLOTS', 0]).catch(() => undefined);
  await pollUntil(async () => ({ done: (await topology.pool.get(first!.address).clusterInfo())['cluster_state'] === 'fail' }), { timeoutMs: 20_000, operation: 'example' });

  const findings = await diagnose(topology, { logFiles: Object.fromEntries(local.nodes.map((n) => [n.address, n.logFile])) });
  console.log(`Doctor: ${findings.length} finding(s)\n`);
  for (const finding of findings) {
    console.log(`[${finding.severity.toUpperCase()}] ${finding.code}${finding.address === undefined ? '' : ` on ${finding.address}`} (runbook ${finding.section})`);
    console.log(`  seen:   ${finding.evidence}`);
    if (finding.window !== undefined) console.log(`  window: ${finding.window.count} line(s), ${finding.window.first ?? '?'} - ${finding.window.last ?? '?'}`);
    console.log(`  remedy: ${finding.remedy}\n`);
  }
  const planted = ['full-coverage-required', 'master-without-replica', 'uncovered-slots', 'cluster-down'];
  const missing = planted.filter((code) => !findings.some((f) => f.code === code));
  if (missing.length > 0) {
    console.error(`Doctor missed: ${missing.join(', ')}`);
    process.exitCode = 1;
  }
} finally {
  await topology.close();
  await local.stop();
}
