// A consumer's first script, compiled and run from a fresh project against the packed tarball.
// It uses the typed surface the way a user does: events with typed payloads, errors by code,
// a real LocalCluster. It must typecheck under every module setting test-consumers covers.
import {
  ClusterOpsError,
  ClusterTopology,
  LocalCluster,
  SlotMigrator,
  UnknownNodeError,
  isClusterOpsError,
  parseMigrationPlan,
  type ClusterOpsErrorCode,
  type ClusterState,
  type MigrationEndEvent,
  type MigrationPlan,
  type ProgressEvent,
} from 'redis-cluster-ops';

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`consumer check failed: ${message}`);
}

async function main(): Promise<void> {
  const local = await LocalCluster.start({ masters: 3, replicasPerMaster: 0 });
  const topology = new ClusterTopology({ seeds: local.seeds });
  try {
    const state: ClusterState = await topology.refresh();
    assert(state.masters.length === 3, `3 masters, saw ${state.masters.length}`);

    const migrator = new SlotMigrator(topology);
    const progress: ProgressEvent[] = [];
    const ends: MigrationEndEvent[] = [];
    migrator.on('progress', (event) => progress.push(event));
    migrator.on('end', (event) => ends.push(event));

    const [from, to] = state.masters;
    assert(from !== undefined && to !== undefined, 'two masters');
    const plan: MigrationPlan = await migrator.planReshard({ from: from.id, to: to.id, slots: 8 });
    // A plan stored as JSON and read back is checked and runs as the original.
    const result = await migrator.execute(parseMigrationPlan(JSON.stringify(plan)));
    assert(result.movedSlots === 8, `8 slots moved, saw ${result.movedSlots}`);
    assert(ends.length === 1 && ends[0]?.status === 'done', 'one end event with status done');
    assert(progress.length > 0, 'progress events');

    let refused: unknown;
    try {
      await migrator.planDrain('f'.repeat(40));
    } catch (error) {
      refused = error;
    }
    assert(refused instanceof ClusterOpsError, 'a ClusterOpsError for an unknown node');
    assert(refused instanceof UnknownNodeError && refused.code === 'ERR_UNKNOWN_NODE', 'ERR_UNKNOWN_NODE');
    assert(isClusterOpsError(refused, 'ERR_UNKNOWN_NODE'), 'brand check with a code');
    const code: ClusterOpsErrorCode = refused.code;
    assert(JSON.parse(JSON.stringify(refused)).message === refused.message, 'toJSON keeps the message');
    console.log(`consumer ok: moved ${result.movedSlots} slots, refusal code ${code}`);
  } finally {
    await topology.close();
    await local.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
