/**
 * The README's first command (`npm run demo`): starts a 3 x 1 local cluster on free loopback
 * ports (three loopback "hosts"), loads keys, prints the topology and a check report, reshards
 * 1000 slots, fails a master over to its replica, checks again, and stops everything.
 */
import { FailoverController, LocalCluster, SLOT_COUNT, SlotMigrator, type ClusterTopology } from '../src/index';

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

  await printTopology(topology);
  await printCheck(topology);

  const state = await topology.refresh();
  const [first, second] = state.masters;
  const migrator = new SlotMigrator(topology);
  const plan = await migrator.planReshard({ from: first!.id, to: second!.id, slots: 1000 });
  const moved = await migrator.execute(plan);
  console.log(`\nResharded ${moved.movedSlots} slots (${moved.movedKeys} keys) from ${first!.address} to ${second!.address} in ${moved.elapsedMs} ms`);

  const replica = state.replicasOf(first!.id)[0]!;
  const result = await new FailoverController(topology).failover(replica.id);
  console.log(`Failed over ${first!.address} to its replica ${replica.address} in ${result.elapsedMs} ms (config epoch ${result.configEpoch})`);

  await printTopology(topology);
  await printCheck(topology);
  const present = (await Promise.all((await topology.refresh()).masters.map((m) => topology.pool.get(m.address).dbsize()))).reduce((a, b) => a + b, 0);
  console.log(`Keys in the cluster: ${present} of ${keys} (${present === keys ? 'all present' : 'MISSING SOME'})`);
  if (present !== keys) process.exitCode = 1;
} finally {
  client.disconnect();
  await topology.close();
  await local.stop();
}
console.log('\nStopped the cluster and removed its directory.');

async function printTopology(topology: ClusterTopology): Promise<void> {
  const state = await topology.refresh();
  console.log('\nTopology:');
  for (const master of state.masters) {
    const replicas = state.replicasOf(master.id).map((r) => r.address).join(', ') || 'none';
    const dbsize = await topology.pool.get(master.address).dbsize();
    console.log(`  master ${master.address} ${master.id.slice(0, 8)} slots ${master.slots.toString().padEnd(22)} (${master.slots.size}/${SLOT_COUNT}) keys ${dbsize}  replicas: ${replicas}`);
  }
}

async function printCheck(topology: ClusterTopology): Promise<void> {
  const report = await topology.check();
  console.log(`Check: ${report.ok ? 'OK' : 'PROBLEMS'} — ${report.summary.masters} masters, ${report.summary.replicas} replicas, ${report.summary.coveredSlots} slots covered`);
  for (const problem of report.problems) console.log(`  [${problem.severity}] ${problem.code}: ${problem.message}`);
}
