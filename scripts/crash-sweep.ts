// A larger, randomized crash-point sweep (for manual runs; CI runs test/faults/crash-*.test.ts).
// Usage: npx tsx scripts/crash-sweep.ts [--seed 1] [--runs 20] [--modes process-kill,source-kill,target-kill,source-freeze,target-freeze]
//                                       [--keyed-slots 4] [--keys-per-slot 300] [--empty-slots 3] [--keys-per-batch 50]
// Each run: a random mode and a random protocol step of a reshard of that shape, then fix(), a resume
// and the full oracle. Prints one line per run; exits 1 if any run left a problem.
import { parseArgs } from 'node:util';
import { seededRandom, randomInt } from '../test/helpers/random';
import { calibrate, runCrashPoint, type CrashMode, type CrashShape } from '../test/helpers/crash-run';
import { startTestCluster, stopTestCluster } from '../test/helpers/test-cluster';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: String(Date.now() % 100_000) },
    runs: { type: 'string', default: '20' },
    modes: { type: 'string', default: 'process-kill,source-kill,target-kill,source-freeze,target-freeze' },
    'keyed-slots': { type: 'string', default: '4' },
    'keys-per-slot': { type: 'string', default: '300' },
    'empty-slots': { type: 'string', default: '3' },
    'keys-per-batch': { type: 'string', default: '50' },
  },
});
const seed = Number(values.seed);
const modes = values.modes.split(',') as CrashMode[];
const shape: CrashShape = {
  keyedSlots: Number(values['keyed-slots']),
  keysPerSlot: Number(values['keys-per-slot']),
  emptySlots: Number(values['empty-slots']),
  migrator: { keysPerBatch: Number(values['keys-per-batch']) },
};
const random = seededRandom(seed);
console.log(`crash sweep: seed ${seed}, ${values.runs} runs, modes ${modes.join(', ')}, shape ${JSON.stringify(shape)}`);

const cluster = await startTestCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 1500 }, { convergenceTimeoutMs: 60_000 });
let failures = 0;
try {
  const steps = await calibrate(cluster, shape);
  console.log(`${steps.length} protocol steps: ${steps.map((s) => s.kind).join(' ')}`);
  for (let run = 1; run <= Number(values.runs); run++) {
    const mode = modes[randomInt(random, 0, modes.length - 1)] as CrashMode;
    const point = randomInt(random, 1, steps.length);
    const started = Date.now();
    const outcome = await runCrashPoint(cluster, mode, point, shape, run);
    if (outcome.problems.length > 0) failures++;
    const decisions = (outcome.fix?.decisions ?? []).length;
    console.log(
      `${run}\t${mode}\tpoint ${point}\t${outcome.crashedAfter ?? 'no crash'}\t${decisions} decision(s), ${outcome.fix?.movedKeys ?? 0} key(s) moved\t${outcome.resumed}\t${Date.now() - started} ms\t${
        outcome.problems.length === 0 ? 'ok' : outcome.problems.join('; ')
      }`,
    );
  }
} finally {
  await stopTestCluster(cluster);
}
console.log(failures === 0 ? 'all runs clean' : `${failures} run(s) left problems (seed ${seed})`);
process.exit(failures === 0 ? 0 : 1);
