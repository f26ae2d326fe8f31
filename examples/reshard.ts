/**
 * Reshard with progress: start a local cluster, load keys, move 2000 slots from one master to
 * another with a reviewed plan, print progress, check the result, stop.
 */
import { LocalCluster, SlotMigrator } from '../src/index';

const local = await LocalCluster.start({ masters: 3, replicasPerMaster: 0 });
const topology = local.topology();
const client = local.client();
try {
  for (let i = 0; i < 20_000; i += 1000) {
    await Promise.all(Array.from({ length: 1000 }, (_, j) => client.set(`user:${i + j}`, `profile-${i + j}`)));
  }
  const state = await topology.refresh();
  const [from, to] = state.masters;
  const migrator = new SlotMigrator(topology, { keysPerBatch: 500 });

  const plan = await migrator.planReshard({ from: from!.id, to: to!.id, slots: 2000 });
  console.log(`Plan ${plan.id}: ${plan.moves.map((m) => `${m.count} slots ${state.node(m.from)?.address} -> ${state.node(m.to)?.address}`).join(', ')}`);

  let printed = 0;
  migrator.on('progress', (p) => {
    if (p.doneSlots - printed >= 500 || p.doneSlots === p.totalSlots) {
      printed = p.doneSlots;
      console.log(`  ${p.doneSlots}/${p.totalSlots} slots, ${p.movedKeys} keys, ${p.keysPerSecond} keys/s, ETA ${p.etaMs} ms`);
    }
  });
  migrator.on('end', ({ latency }) => {
    console.log(`  MIGRATE blocked the source p99 ${latency.blockingP99Ms} ms (budget ${latency.budgetMs} ms); a client saw p99 ${latency.clientP99Ms} ms`);
  });
  const result = await migrator.execute(plan);
  console.log(`Moved ${result.movedSlots} slots and ${result.movedKeys} keys in ${result.elapsedMs} ms`);

  const report = await topology.check();
  console.log(`Check: ${report.ok ? 'OK' : 'PROBLEMS'}; ${to!.address} now serves ${(await topology.refresh()).node(to!.id)?.slots.size} slots`);
  if (!report.ok) process.exitCode = 1;
} finally {
  client.disconnect();
  await topology.close();
  await local.stop();
}
