/**
 * The runbook's failover drills on a local 3 x 1 cluster spread over three "hosts"
 * (127.0.0.1-3): a manual failover (section 18), then a host failure (section 13): kill -9 of
 * every node on one host, the cluster promotes the dead master's replica, replaceNode() adds a
 * replica for it on the host that came back and forgets the dead node everywhere. A watch prints
 * what it sees along the way. Run: npx tsx examples/failover-drill.ts
 */
import { ClusterState, ClusterTopology, FailoverController, LocalCluster } from '../src/index';

const HOSTS = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
const local = await LocalCluster.start({ host: HOSTS, nodeTimeoutMs: 1000, config: { 'repl-diskless-sync-delay': 0 } });
const topology = local.topology();
const failover = new FailoverController(topology);
const client = local.client();
const short = (id: string): string => id.slice(0, 8);

try {
  const keys = 2000;
  for (let start = 0; start < keys; start += 500) {
    await Promise.all(Array.from({ length: 500 }, (_, i) => client.set(`drill:${start + i}`, `value-${start + i}`)));
  }
  const print = async (title: string): Promise<ClusterState> => {
    const state = await topology.refresh();
    console.log(`\n${title}`);
    for (const master of state.slotOwners) {
      const replicas = state.replicasOf(master.id).map((r) => `${r.address}${r.failed ? ' (fail)' : ''}`).join(', ') || 'none';
      console.log(`  master ${master.address} ${short(master.id)} epoch ${master.configEpoch} slots ${master.slots.toString().padEnd(12)} replicas: ${replicas}`);
    }
    return state;
  };
  let state = await print(`Cluster up, ${keys} keys loaded:`);

  // Section 18: manual failover. Default mode: the master stops writes, the replica catches up, the cluster votes.
  const master = state.slotOwners[0]!;
  const replica = state.replicasOf(master.id)[0]!;
  const result = await failover.failover(replica.id, { mode: 'default' });
  console.log(
    `\nManual failover: ${result.newMasterAddress} replaced ${result.oldMasterAddress} in ${result.elapsedMs} ms; ` +
      `its config epoch is ${result.configEpoch}, the cluster's current epoch grew to ${result.currentEpoch} (masters logged 'Failover auth granted to ${short(result.newMasterId)} for epoch ${result.configEpoch}').`,
  );

  // Section 13: a host dies.
  failover.on('node-pfail', (e) => console.log(`  [watch] ${e.address} ${short(e.nodeId)} suspected down (pfail)`));
  failover.on('node-fail', (e) => console.log(`  [watch] ${e.address} ${short(e.nodeId)} failed (${e.reporters} nodes agree)`));
  failover.on('replica-promoted', (e) => console.log(`  [watch] ${e.address} ${short(e.nodeId)} promoted to master of ${e.slots} (epoch ${e.configEpoch})`));
  failover.on('master-without-replicas', (e) => console.log(`  [watch] master ${e.address} has no working replica`));
  failover.on('node-left', (e) => console.log(`  [watch] ${e.address} ${short(e.nodeId)} forgotten by the cluster`));
  failover.on('node-joined', (e) => console.log(`  [watch] ${e.address} ${short(e.nodeId)} joined`));
  const started = new Promise((resolve) => failover.once('watch-started', resolve));
  const watch = failover.watch({ intervalMs: 200 });
  await started;

  state = await topology.refresh();
  const deadHost = HOSTS.find((host) => state.slotOwners.some((m) => ClusterState.hostOf(m) === host && state.replicasOf(m.id).some((r) => ClusterState.hostOf(r) !== host)))!;
  const dead = state.nodes.filter((node) => ClusterState.hostOf(node) === deadHost);
  const deadMaster = dead.find((node) => node.role === 'master')!;
  console.log(`\nHost ${deadHost} dies: kill -9 of ${dead.map((n) => `${n.address} (${n.role})`).join(', ')}`);
  for (const node of dead) await local.killNode(node.address, 'SIGKILL');

  const replacement = await local.startNode({ host: deadHost });
  const replaced = await failover.replaceNode(deadMaster.id, replacement);
  console.log(
    `\nreplaceNode: ${short(replaced.promotedId ?? '')} was promoted; ${replaced.newNodeAddress} now replicates it; ` +
      `${short(deadMaster.id)} forgotten by ${replaced.forgottenBy.length} nodes (${replaced.elapsedMs} ms).`,
  );
  for (const node of dead.filter((n) => n.id !== deadMaster.id)) {
    await topology.forgetEverywhere(node.id);
    // Without `of`, addNode picks the master with the fewest replicas on another host: the one that lost its replica.
    const added = await topology.addNode(await local.startNode({ host: deadHost }), { as: 'replica' });
    console.log(`Replaced dead replica ${node.address}: ${added.address} now replicates ${(await topology.refresh()).requireNode(added.masterId!).address} (${added.reason}).`);
  }
  await watch.stop();

  // Check from a live seed: the dead addresses are gone from the cluster.
  await print('After the drill:');
  const live = new ClusterTopology({ seeds: [{ host: replacement.host, port: replacement.port }] });
  try {
    const report = await live.check();
    console.log(`\nCheck: ${report.ok ? 'OK' : 'PROBLEMS'}, ${report.problems.length} problem(s)`);
    for (const problem of report.problems) console.log(`  [${problem.severity}] ${problem.code}: ${problem.message}`);
  } finally {
    await live.close();
  }
  const values = await Promise.all(Array.from({ length: keys }, (_, i) => client.get(`drill:${i}`)));
  const missing = values.filter((value, i) => value !== `value-${i}`).length;
  console.log(`Keys: ${keys - missing} of ${keys} present with their values.`);
  if (missing > 0) process.exitCode = 1;
} finally {
  client.disconnect();
  await topology.close();
  await local.stop();
}
