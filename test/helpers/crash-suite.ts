import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCluster, stopTestCluster, type TestCluster } from './test-cluster';
import { calibrate, runCrashPoint, type CrashMode, type CrashOutcome } from './crash-run';
import { distinctPoints, type ProtocolStep } from './crash-steps';

/**
 * One crash-point suite: a 3 x 1 cluster with a short cluster-node-timeout (quick failovers),
 * a calibration run that lists the protocol steps of the small plan, then one crash per point,
 * each followed by fix(), a resume and the full oracle. Every point of `every` modes; for the
 * slow node crashes, the last step of each kind (CRASH_POINTS=all runs them all).
 */
export function crashSuite(mode: CrashMode, every: boolean): void {
  describe(`crash points: ${mode}`, () => {
    let cluster: TestCluster;
    let steps: ProtocolStep[] = [];

    beforeAll(async () => {
      cluster = await startTestCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 1500 }, { convergenceTimeoutMs: 60_000 });
      steps = await calibrate(cluster);
    }, 120_000);
    afterAll(() => stopTestCluster(cluster ?? {}));

    it(`after ${every ? 'every' : 'each kind of'} protocol step, fix() (then a resume) leaves a clean cluster with every key intact`, async () => {
      expect(steps.map((s) => s.kind)).toEqual(expect.arrayContaining(['setslot-importing', 'setslot-migrating', 'migrate', 'setslot-node-target', 'setslot-node-source', 'setslot-node-other']));
      const points = every || process.env['CRASH_POINTS'] === 'all' ? steps.map((s) => s.index) : distinctPoints(steps);
      const outcomes: CrashOutcome[] = [];
      for (const point of points) {
        try {
          outcomes.push(await runCrashPoint(cluster, mode, point));
        } catch (error) {
          // The harness itself could not go on (the cluster did not recover): report it and stop.
          outcomes.push({ mode, point, resumed: 'nothing-left', problems: [`harness: ${(error as Error).message}`], steps: [], crashedAfter: 'unknown' });
          break;
        }
      }
      const table = outcomes.map((o) => `${o.point}\t${o.crashedAfter ?? 'no crash'}\t${decisionSummary(o)}\t${o.resumed}\t${Object.entries(o.timings ?? {}).map(([k, v]) => `${k} ${v}`).join(' ')}\t${o.problems.length === 0 ? 'ok' : o.problems.join('; ')}`);
      console.log(`${mode}: ${steps.length} steps\n${table.join('\n')}`);
      expect(outcomes.filter((o) => o.crashedAfter === undefined).map((o) => o.point)).toEqual([]);
      expect(outcomes.filter((o) => o.problems.length > 0).map((o) => ({ point: o.point, after: o.crashedAfter, problems: o.problems }))).toEqual([]);
    }, 900_000);
  });
}

/** The fix decisions of an outcome, counted by action and cause. */
function decisionSummary(outcome: CrashOutcome): string {
  const counts = new Map<string, number>();
  for (const d of outcome.fix?.decisions ?? []) counts.set(`${d.action}/${d.cause}`, (counts.get(`${d.action}/${d.cause}`) ?? 0) + 1);
  return [...counts].map(([what, n]) => `${n}x ${what}`).join(', ') || '-';
}
