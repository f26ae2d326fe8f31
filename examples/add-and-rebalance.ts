/**
 * Runbook sections 11-13 on a local 3 x 1 cluster over three "hosts" (127.0.0.1-3): add a master
 * and a replica for it (on another host), rebalance slots onto the new master, then retire it again:
 * removeNode refuses while it serves slots, SlotMigrator drains it, removeNode forgets it everywhere.
 * Every key is checked at the end. Run: npx tsx examples/add-and-rebalance.ts
 */
import { LocalCluster, MasterOwnsSlotsError, SlotMigrator, type ClusterState } from '../src/index';

const local = await LocalCluster.start({ host: ['127.0.0.1', '127.0.0.2', '127.0.0.3'], config: { 'repl-diskless-sync-delay': 0 } });
const topology = local.topology();
const migrator = new SlotMigrator(topology);
const client = local.client();

const print = (title: string, state: ClusterState): void => {
  console.log(`\n${title}`);
  for (const master of state.masters) {
    const replicas = state.replicasOf(master.id).map((r) => r.address).join(', ') || 'none';
    console.log(`  master ${master.address} ${master.id.slice(0, 8)} ${String(master.slots.size).padStart(5)} slots  replicas: ${replicas}`);
  }
};

try {
  const keys = 5000;
  for (let start = 0; start < keys; start += 1000) {
    await Promise.all(Array.from({ length: 1000 }, (_, i) => client.set(`rebalance:${start + i}`, `value-${start + i}`)));
  }
  print(`Cluster up, ${keys} keys loaded:`, await topology.refresh());

  // Section 11: a new master (it owns no slots until resharded), and (section 12) a replica for it on another host.
  const master = await topology.addNode(await local.startNode({ host: '127.0.0.1' }), { as: 'master' });
  const replica = await topology.addNode(await local.startNode({ host: '127.0.0.2' }), { as: 'replica', of: master.nodeId });
  console.log(`\nAdded master ${master.address} (${master.elapsedMs} ms) and its replica ${replica.address} (${replica.elapsedMs} ms, same host: ${replica.sameHost}).`);

  // Rebalance onto the empty master: plan (pure, reviewable), then execute.
  const plan = await migrator.planRebalance({ useEmptyMasters: true });
  console.log(`Rebalance plan: ${plan.totalSlots} slots in ${plan.moves.length} move(s).`);
  let lastPercent = -1;
  migrator.on('progress', (p) => {
    const percent = Math.floor((p.doneSlots / Math.max(1, p.totalSlots)) * 4) * 25;
    if (percent !== lastPercent) console.log(`  ${p.doneSlots}/${p.totalSlots} slots, ${p.movedKeys} keys moved`);
    lastPercent = percent;
  });
  const moved = await migrator.execute(plan);
  print(`Rebalanced: ${moved.movedSlots} slots and ${moved.movedKeys} keys moved in ${moved.elapsedMs} ms:`, await topology.refresh());

  // Section 13: a master must move all its slots away before it can be deleted.
  const refused = await topology.removeNode(master.nodeId).catch((error: unknown) => error);
  if (refused instanceof MasterOwnsSlotsError) console.log(`\nremoveNode refused, as it should: ${refused.message}`);
  const drained = await migrator.drain(master.nodeId);
  console.log(`Drained ${drained.movedSlots} slots (${drained.movedKeys} keys) off ${master.address}.`);
  const removed = await topology.removeNode(master.nodeId, { shutdown: true });
  console.log(`Removed ${removed.address}: forgotten by ${removed.forgottenBy.length} nodes, replicas re-homed: ${removed.rehomed.length}.`);
  const extra = (await topology.refresh()).node(replica.nodeId);
  if (extra !== undefined) {
    await topology.removeNode(replica.nodeId, { shutdown: true });
    console.log(`Removed the extra replica ${replica.address} too.`);
  }

  const state = await topology.refresh();
  print('After:', state);
  const report = await topology.check();
  // The two removed nodes were shut down but are still among local.topology()'s seeds: their
  // addresses answer nothing, which check() lists as node-unreachable. The cluster itself is whole.
  const problems = report.problems.filter((p) => p.code !== 'node-unreachable');
  console.log(`\nCheck: ${problems.every((p) => p.severity !== 'error') ? 'OK' : 'PROBLEMS'}${problems.length > 0 ? '' : ', no problem'}`);
  for (const problem of problems) console.log(`  [${problem.severity}] ${problem.code}: ${problem.message}`);
  const values = await Promise.all(Array.from({ length: keys }, (_, i) => client.get(`rebalance:${i}`)));
  const missing = values.filter((value, i) => value !== `value-${i}`).length;
  console.log(`Keys: ${keys - missing} of ${keys} present with their values.`);
  if (missing > 0 || problems.some((p) => p.severity === 'error')) process.exitCode = 1;
} finally {
  client.disconnect();
  await topology.close();
  await local.stop();
}
