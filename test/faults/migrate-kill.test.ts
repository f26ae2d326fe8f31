import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterTopology, LocalCluster, SlotMigrator, type MigrationPlan } from '../../src/index';
import { clusterDigest, writeKeys } from '../helpers/dataset';
import { redisCliCheck } from '../helpers/redis-cli';
import { startTestCluster, stopTestCluster } from '../helpers/test-cluster';

/** Runs the plan in a child process and SIGKILLs it once its output has `killAfter` lines starting with `marker`. */
async function runAndKill(local: LocalCluster, plan: MigrationPlan, journal: string, dir: string, marker: string, killAfter: number): Promise<{ killed: boolean; lines: number }> {
  const planFile = join(dir, `plan-${plan.id}.json`);
  writeFileSync(planFile, JSON.stringify(plan));
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/faults/fixtures/reshard-child.ts', JSON.stringify(local.seeds), planFile, journal], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let seen = 0;
  let killed = false;
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (line.startsWith(marker)) seen++;
      if (!killed && seen >= killAfter) {
        killed = true;
        child.kill('SIGKILL');
      }
    }
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  await exited;
  clearTimeout(timer);
  return { killed, lines: seen };
}

describe('a reshard killed with SIGKILL mid-move loses no key and resumes', () => {
  let local: LocalCluster;
  let topology: ClusterTopology;
  let client: Cluster;
  let dir: string;
  let digest: { keys: number; sha256: string };

  beforeAll(async () => {
    ({ local, topology, client } = await startTestCluster({ masters: 3, replicasPerMaster: 0 }));
    dir = mkdtempSync(join(tmpdir(), 'rco-journal-'));
    await writeKeys(client, 6000, { valueBytes: 48 });
    digest = await clusterDigest(client);
  });
  afterAll(async () => {
    await stopTestCluster({ local, topology, client });
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  const intact = async (): Promise<void> => {
    expect(await clusterDigest(client)).toEqual(digest);
    const report = await topology.check();
    expect(report.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect((await redisCliCheck(local.seeds[0]!)).ok).toBe(true);
  };

  for (const [name, marker, killAfter, repair] of [
    ['early, in the first batches, resumed from its journal', 'batch', 3, 'resume'],
    ['between slots, resumed from its journal', 'slot', 40, 'resume'],
    ['deep into the move, repaired by fix() then resumed', 'batch', 60, 'fix'],
  ] as const) {
    it(`killed ${name}`, async () => {
      const state = await topology.refresh();
      const [a, b] = state.masters as [(typeof state.masters)[number], (typeof state.masters)[number]];
      const planner = new SlotMigrator(topology);
      const plan = await planner.planReshard({ from: a.id, to: b.id, slots: 300 });
      const journal = join(dir, `${plan.id}.jsonl`);

      const run = await runAndKill(local, plan, journal, dir, marker, killAfter);
      expect(run.killed, `the child finished before ${killAfter} '${marker}' lines (${run.lines})`).toBe(true);
      // The crash leaves at most the child's maxOpenSlots (2) slots MIGRATING/IMPORTING.
      const open = new Set((await topology.refresh()).openSlots().map((mark) => mark.slot));
      expect(open.size).toBeLessThanOrEqual(2);

      if (repair === 'fix') {
        await topology.fix();
        expect((await topology.refresh()).openSlots()).toEqual([]);
        expect(await clusterDigest(client)).toEqual(digest);
      }
      const resumed = await new SlotMigrator(topology, { journal }).execute(plan);
      expect(resumed.skippedSlots + resumed.movedSlots).toBe(300);
      expect(resumed.skippedSlots).toBeGreaterThan(0);
      const after = await topology.refresh();
      expect(after.node(b.id)!.slots.size).toBe(b.slots.size + 300);
      await intact();
    });
  }
});
