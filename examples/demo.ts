/**
 * The README's first command (`npm run demo`): starts a 3 x 1 local cluster on free loopback
 * ports, loads keys, prints the topology and a check report, and stops everything.
 */
import { LocalCluster, SLOT_COUNT } from '../src/index';

const local = await LocalCluster.start({ masters: 3, replicasPerMaster: 1, host: ['127.0.0.1', '127.0.0.2', '127.0.0.3'] });
const topology = local.topology();
const client = local.client();
try {
  console.log(`Started ${local.nodes.length} redis-server processes in ${local.dir}`);

  const keys = 10_000;
  for (let start = 0; start < keys; start += 1000) {
    await Promise.all(Array.from({ length: 1000 }, (_, i) => client.set(`demo:${start + i}`, `value-${start + i}`)));
  }
  console.log(`Loaded ${keys} keys through an ioredis Cluster client.`);

  const state = await topology.refresh();
  console.log('\nTopology:');
  for (const master of state.masters) {
    const replicas = state.replicasOf(master.id).map((r) => r.address).join(', ') || 'none';
    const dbsize = await topology.pool.get(master.address).dbsize();
    console.log(`  master ${master.address} ${master.id.slice(0, 8)} slots ${master.slots.toString().padEnd(12)} (${master.slots.size}/${SLOT_COUNT}) keys ${dbsize}  replicas: ${replicas}`);
  }

  const report = await topology.check();
  console.log(`\nCheck: ${report.ok ? 'OK' : 'PROBLEMS'} — ${report.summary.masters} masters, ${report.summary.replicas} replicas, ${report.summary.coveredSlots} slots covered`);
  for (const problem of report.problems) console.log(`  [${problem.severity}] ${problem.code}: ${problem.message}`);
} finally {
  client.disconnect();
  await topology.close();
  await local.stop();
}
console.log('\nStopped the cluster and removed its directory.');
