// Runs a migration plan and SIGKILLs its own process once `point` protocol steps have gone out
// (see crash-steps.ts), as a crashed operator tool would stop. Args: seedsJson planFile point optionsJson
import { readFileSync } from 'node:fs';
import { ClusterTopology, SlotMigrator, type MigrationPlan, type NodeAddress, type SlotMigratorOptions } from '../../src/index';
import { crashAfterStep, describeStep, type MoveEnds } from './crash-steps';

const [seedsJson, planFile, pointText, optionsJson, endsJson] = process.argv.slice(2) as [string, string, string, string, string];
const topology = new ClusterTopology({ seeds: JSON.parse(seedsJson) as NodeAddress[] });
const crash = crashAfterStep(Number(pointText), JSON.parse(endsJson) as MoveEnds, (last) => {
  console.log(`crash after ${describeStep(last)}`);
  process.kill(process.pid, 'SIGKILL');
});
topology.pool.commandHooks.add(crash.hook);
const migrator = new SlotMigrator(topology, JSON.parse(optionsJson) as SlotMigratorOptions);
const plan = JSON.parse(readFileSync(planFile, 'utf8')) as MigrationPlan;
try {
  await migrator.execute(plan);
  console.log(`done after ${crash.steps.length} steps`);
} finally {
  await topology.close();
}
