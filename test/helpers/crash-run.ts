import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cluster } from 'ioredis';
import { ClusterTopology, PlanError, SlotMigrator, type ClusterNode, type FixReport, type LocalCluster, type MigrationPlan, type SlotMigratorOptions } from '../../src/index';
import { cleanAndIntact, restoreReplicas, snapshotKeys, summarize, waitForFailover, waitForHealthy, waitForReplicasInSync, writeSlotKeys } from './crash-cluster';
import { crashAfterStep, describeStep, type MoveEnds, type ProtocolStep } from './crash-steps';

/** How the operation is stopped at the crash point. */
export type CrashMode = 'process-kill' | 'source-kill' | 'target-kill' | 'source-freeze' | 'target-freeze';

export interface CrashCluster {
  local: LocalCluster;
  topology: ClusterTopology;
  client: Cluster;
}

export interface CrashShape {
  /** Slots with keys in the plan, and keys per slot. */
  keyedSlots: number;
  keysPerSlot: number;
  emptySlots: number;
  migrator: SlotMigratorOptions;
}

/**
 * The small plan of the CI cases: 2 slots of 15 keys (2 MIGRATE batches each) and 1 empty slot. Batches
 * stay at keysPerBatch (no latency budget sizing them from measured times), so every run sends the same
 * protocol steps as the calibration and each crash point is reached.
 */
export const SMALL_SHAPE: CrashShape = { keyedSlots: 2, keysPerSlot: 15, emptySlots: 1, migrator: { keysPerBatch: 10, latencyBudgetMs: null } };

export interface CrashOutcome {
  mode: CrashMode;
  point: number;
  /** The step after which the crash came, or undefined when the run ended before it. */
  crashedAfter?: string;
  fix?: Pick<FixReport, 'planId' | 'decisions' | 'movedKeys' | 'unresolved'>;
  resumed: 'old-plan' | 'new-plan' | 'nothing-left';
  /** Empty when the cluster ended clean with every key intact. */
  problems: string[];
  steps: ProtocolStep[];
  /** Milliseconds per phase: prepare, crash, failover, fix, return, resume, verify. */
  timings?: Record<string, number>;
}

const used = new Set<number>();

/** Picks a source and target (rotating with `round`) and fresh slots of the source for one crash point. */
async function preparePoint(cluster: CrashCluster, shape: CrashShape, round: number): Promise<{ source: ClusterNode; target: ClusterNode; keyed: number[]; empty: number[] }> {
  const state = await waitForHealthy(cluster.topology, cluster.local.nodes.length);
  await waitForReplicasInSync(cluster.topology);
  // Masters with a live replica, when there are two: a killed one must have a replica to fail over to.
  const large = state.masters.filter((m) => m.slots.size > 100).sort((a, b) => (a.id < b.id ? -1 : 1));
  const replicated = large.filter((m) => state.replicasOf(m.id).some((r) => !r.failed));
  const masters = replicated.length >= 2 ? replicated : large;
  if (masters.length < 2) throw new Error(`fewer than two masters with slots to move between: ${summarize(state)}`);
  const source = masters[round % masters.length] as ClusterNode;
  const target = masters[(round + 1) % masters.length] as ClusterNode;
  const candidates = source.slots.toArray().filter((slot) => !used.has(slot));
  const pick: number[] = [];
  for (let i = (round * 37) % candidates.length; pick.length < shape.keyedSlots + shape.emptySlots; i = (i + 101) % candidates.length) {
    const slot = candidates[i] as number;
    if (pick.includes(slot)) continue;
    if ((await cluster.topology.pool.get(source.address).countKeysInSlot(slot)) > 0) continue;
    pick.push(slot);
  }
  pick.forEach((slot) => used.add(slot));
  return { source, target, keyed: pick.slice(0, shape.keyedSlots), empty: pick.slice(shape.keyedSlots) };
}

/** Runs one reshard with a recording hook and returns its protocol steps (the points to crash at). */
export async function calibrate(cluster: CrashCluster, shape: CrashShape = SMALL_SHAPE): Promise<ProtocolStep[]> {
  const { source, target, keyed, empty } = await preparePoint(cluster, shape, 0);
  await writeSlotKeys(cluster.client, keyed, shape.keysPerSlot, 'calibrate');
  const recorder = crashAfterStep(0, { source: source.address, target: target.address }, () => undefined);
  const topology = cluster.local.topology();
  topology.pool.commandHooks.add(recorder.hook);
  try {
    const migrator = new SlotMigrator(topology, shape.migrator);
    await migrator.execute(await migrator.planReshard({ from: source.id, to: target.id, slots: [...keyed, ...empty] }));
  } finally {
    await topology.close();
  }
  return recorder.steps;
}

/** Stops a small reshard after `point` protocol steps in the given way, repairs with fix(), resumes, and checks everything. */
export async function runCrashPoint(cluster: CrashCluster, mode: CrashMode, point: number, shape: CrashShape = SMALL_SHAPE, round = point): Promise<CrashOutcome> {
  const { local, topology, client } = cluster;
  const timings: Record<string, number> = {};
  let phaseStart = Date.now();
  const phase = (name: string): void => {
    timings[name] = Date.now() - phaseStart;
    phaseStart = Date.now();
  };
  const { source, target, keyed, empty } = await preparePoint(cluster, shape, round);
  await writeSlotKeys(client, keyed, shape.keysPerSlot, `${mode}-${point}-${round}`);
  await waitForReplicasInSync(topology);
  const before = await snapshotKeys(topology);
  phase('prepare');
  const plan = await new SlotMigrator(topology).planReshard({ from: source.id, to: target.id, slots: [...keyed, ...empty] });
  const ends: MoveEnds = { source: source.address, target: target.address };
  const victim = mode.startsWith('source') ? source : mode.startsWith('target') ? target : undefined;
  let crashedAfter: string | undefined;
  let steps: ProtocolStep[] = [];

  if (mode === 'process-kill') {
    ({ crashedAfter, steps } = await runInChild(local, plan, point, shape.migrator, ends));
  } else {
    const victimNode = victim as ClusterNode;
    const crash = crashAfterStep(point, ends, async (last) => {
      crashedAfter = describeStep(last);
      if (mode.endsWith('kill')) {
        await local.killNode(victimNode.address);
        return;
      }
      // Frozen past cluster-node-timeout: the cluster fails it over while the operation waits on it.
      // A watcher with short timeouts: a frozen node holds every command sent to it.
      const watcher = new ClusterTopology({ seeds: local.seeds.filter((seed) => `${seed.host}:${seed.port}` !== victimNode.address), commandTimeoutMs: 1000, connectTimeoutMs: 1000 });
      await local.freezeNode(victimNode.address);
      try {
        await waitForFailover(watcher, victimNode.id, victimNode.slots.toArray());
      } finally {
        await local.thawNode(victimNode.address);
        await watcher.close();
      }
    });
    const migratorTopology = local.topology();
    migratorTopology.pool.commandHooks.add(crash.hook);
    try {
      await new SlotMigrator(migratorTopology, shape.migrator).execute(plan).catch(() => undefined);
    } finally {
      await migratorTopology.close();
    }
    steps = crash.steps;
  }

  phase('crash');
  if (victim !== undefined && crashedAfter !== undefined) {
    await topology.pool.drop(victim.address);
    if (mode.endsWith('kill')) await waitForFailover(topology, victim.id, victim.slots.toArray());
    else await waitForHealthy(topology, local.nodes.length);
  }
  phase('failover');
  let fix: CrashOutcome['fix'];
  const problems: string[] = [];
  try {
    const report = await topology.fix();
    fix = { planId: report.planId, decisions: report.decisions, movedKeys: report.movedKeys, unresolved: report.unresolved };
  } catch (error) {
    problems.push(`fix() failed: ${(error as Error).message}`);
  }
  phase('fix');
  if (victim !== undefined && mode.endsWith('kill') && crashedAfter !== undefined) {
    await local.restartNode(victim.address);
    await topology.pool.drop(victim.address);
  }
  await waitForHealthy(topology, local.nodes.length);
  if (victim !== undefined && crashedAfter !== undefined && problems.length === 0) {
    // The victim came back with its old nodes.conf (its marks, maybe a slot it had just claimed): what it
    // brings is one more state fix() must repair.
    try {
      const again = await topology.fix();
      if (again.decisions.length > 0) fix = { ...(fix as NonNullable<typeof fix>), decisions: [...(fix?.decisions ?? []), ...again.decisions], movedKeys: (fix?.movedKeys ?? 0) + again.movedKeys };
    } catch (error) {
      problems.push(`fix() after the node came back failed: ${(error as Error).message}`);
    }
    await restoreReplicas(topology);
    await waitForHealthy(topology, local.nodes.length);
  }
  phase('return');
  let resumed: CrashOutcome['resumed'] = 'nothing-left';
  if (problems.length === 0) {
    try {
      resumed = await resume(topology, plan, target, [...keyed, ...empty]);
    } catch (error) {
      problems.push(`resume failed: ${(error as Error).message}`);
    }
  }
  phase('resume');
  problems.push(...(await cleanAndIntact(local, topology, before)));
  phase('verify');
  return { timings, mode, point, ...(crashedAfter === undefined ? {} : { crashedAfter }), ...(fix === undefined ? {} : { fix }), resumed, problems, steps };
}

/** Resumes the old plan when its source and target are still masters, else plans the rest anew towards the target's successor. */
async function resume(topology: ClusterTopology, plan: MigrationPlan, target: ClusterNode, slots: number[]): Promise<CrashOutcome['resumed']> {
  let state = (await topology.waitForConvergence()).state;
  const move = plan.moves[0] as MigrationPlan['moves'][number];
  const stillMasters = [move.from, move.to].every((id) => state.node(id)?.role === 'master' && state.node(id)?.reachable === true);
  if (stillMasters) {
    try {
      await new SlotMigrator(topology).execute(plan);
      return 'old-plan';
    } catch (error) {
      // fix() may have given a slot to a third master (e.g. the promoted replica that held its keys):
      // the old plan no longer fits, a new one does.
      if (!(error instanceof PlanError)) throw error;
      state = (await topology.waitForConvergence()).state;
    }
  }
  const heir = state.node(target.id)?.role === 'master' ? state.node(target.id) : state.masters.find((m) => m.slots.has(target.slots.ranges[0]?.[0] ?? -1));
  if (heir === undefined) throw new Error(`no master serves the target's old slots any more`);
  const left = slots.filter((slot) => !heir.slots.has(slot));
  if (left.length === 0) return 'nothing-left';
  const owners = [...new Set(left.map((slot) => state.ownerOf(slot)?.id).filter((id): id is string => id !== undefined))];
  await new SlotMigrator(topology).reshard({ from: owners, to: heir.id, slots: left });
  return 'new-plan';
}

/** process-kill: the migration runs in a child process (tsx) that SIGKILLs itself at the point. */
async function runInChild(local: LocalCluster, plan: MigrationPlan, point: number, options: SlotMigratorOptions, ends: MoveEnds): Promise<{ crashedAfter?: string; steps: ProtocolStep[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'rco-crash-'));
  try {
    const planFile = join(dir, 'plan.json');
    writeFileSync(planFile, JSON.stringify(plan));
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/crash-child.ts', JSON.stringify(local.seeds), planFile, String(point), JSON.stringify(options), JSON.stringify(ends)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    await new Promise<void>((resolve) => child.once('exit', () => resolve()));
    clearTimeout(timer);
    const crashed = /crash after (.*)/.exec(output)?.[1];
    return { ...(crashed === undefined ? {} : { crashedAfter: crashed }), steps: [] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
