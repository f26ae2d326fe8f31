/**
 * Manual failover under an ioredis write load, for each mode (default, force, takeover): acknowledged
 * writes missing afterwards, the window in which writes failed, the longest stall of writes to the
 * switched master, and the time until every node agrees. Each run fails over twice on the same
 * cluster and data: once with our SDK (FailoverController.failover) and once the way an operator
 * does it (`redis-cli CLUSTER FAILOVER [mode]` on the replica, then `redis-cli --cluster check`
 * polled until it shows the new master and [OK]); the order alternates between runs.
 * Run: npx tsx bench/failover.ts [runs]
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Cluster } from 'ioredis';
import { FailoverController, keySlot, LocalCluster, type FailoverMode, type SlotSet } from '../src/index';
import { startWriters } from '../test/helpers/sequential-writers';
import { machineLine, median, writeBenchSection } from './lib/report';

const run = promisify(execFile);
const RUNS = Number(process.argv[2] ?? 3);
/** The runbook's cluster-node-timeout (section 7). */
const NODE_TIMEOUT_MS = 15_000;
const WRITERS = 16;
const MODES: FailoverMode[] = ['default', 'force', 'takeover'];
type Tool = 'ours' | 'redis-cli';

interface Measure {
  /** Ours: failover() resolved. By hand: `redis-cli --cluster check` shows the new master and [OK]. */
  agreeMs: number;
  /** Every node lists the replica as master of the slots and the old master as its replica. */
  fullMs: number;
  acked: number;
  missing: number;
  failed: number;
  failWindowMs: number;
  stallMs: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `redis-cli --cluster check` until it lists `newMasterId` as a master and reports no error. */
async function cliAgreement(seed: string, newMasterId: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const output = await run('redis-cli', ['--cluster', 'check', seed]).then(
      (r) => r.stdout,
      (e: { stdout?: string }) => e.stdout ?? '',
    );
    if (output.includes(`M: ${newMasterId}`) && output.includes('[OK] All 16384 slots covered') && !output.includes('[ERR]')) return;
    if (Date.now() > deadline) throw new Error(`redis-cli check never agreed on ${newMasterId}`);
    await sleep(50);
  }
}

async function measureOne(local: LocalCluster, controller: FailoverController, client: Cluster, mode: FailoverMode, tool: Tool, prefix: string): Promise<Measure> {
  const topology = local.topology();
  try {
    const state = await topology.refresh();
    const master = state.slotOwners[0]!;
    const replica = state.replicasOf(master.id)[0]!;
    const slots: SlotSet = master.slots;
    const load = startWriters(client, WRITERS, prefix);
    await sleep(1000);
    const started = Date.now();
    if (tool === 'ours') {
      await controller.failover(replica.id, { mode });
    } else {
      await run('redis-cli', ['-h', replica.host, '-p', String(replica.port), 'CLUSTER', 'FAILOVER', ...(mode === 'default' ? [] : [mode.toUpperCase()])]);
      await cliAgreement(`${replica.host}:${replica.port}`, replica.id);
    }
    const agreeMs = Date.now() - started;
    // The same yardstick for both: poll every node until all list the old master as the new one's replica.
    for (;;) {
      const views = (await topology.refresh()).views;
      const done = views.every(
        (view) => view.nodes.find((n) => n.id === master.id)?.masterId === replica.id && view.nodes.find((n) => n.id === replica.id)?.role === 'master',
      );
      if (done) break;
      if (Date.now() - started > 60_000) throw new Error('no full agreement within 60 s');
      await sleep(10);
    }
    const fullMs = Date.now() - started;
    await sleep(1500);
    await load.stop();

    const ids = [...load.acked.keys()];
    const values = await Promise.all(ids.map((i) => client.get(`${prefix}:${i}`).catch(() => null)));
    const missing = ids.filter((i, index) => values[index] !== `v${i}`).length;
    const failWindowMs = load.failed.length === 0 ? 0 : Math.max(...load.failed.map((f) => f.at)) - Math.min(...load.failed.map((f) => f.at));
    // Longest gap between two acknowledged writes to the switched master's slots, around the switch.
    const times = [...load.acked]
      .filter(([i, at]) => at >= started - 500 && slots.has(keySlot(`${prefix}:${i}`)))
      .map(([, at]) => at)
      .sort((a, b) => a - b);
    let stallMs = 0;
    for (let k = 1; k < times.length; k++) stallMs = Math.max(stallMs, (times[k] as number) - (times[k - 1] as number));
    return { agreeMs, fullMs, acked: ids.length, missing, failed: load.failed.length, failWindowMs, stallMs };
  } finally {
    await topology.close();
  }
}

const results: Record<FailoverMode, Record<Tool, Measure[]>> = {
  default: { ours: [], 'redis-cli': [] },
  force: { ours: [], 'redis-cli': [] },
  takeover: { ours: [], 'redis-cli': [] },
};

for (const mode of MODES) {
  for (let r = 0; r < RUNS; r++) {
    const local = await LocalCluster.start({ host: ['127.0.0.1', '127.0.0.2', '127.0.0.3'], nodeTimeoutMs: NODE_TIMEOUT_MS, config: { 'repl-diskless-sync-delay': 0 } });
    const topology = local.topology();
    const controller = new FailoverController(topology);
    const client = local.client({ maxRedirections: 64, retryDelayOnMoved: 20, retryDelayOnFailover: 50 });
    try {
      const order: Tool[] = r % 2 === 0 ? ['ours', 'redis-cli'] : ['redis-cli', 'ours'];
      for (const tool of order) {
        const m = await measureOne(local, controller, client, mode, tool, `bench:${mode}:${r}:${tool}`);
        results[mode][tool].push(m);
        console.log(`${mode} run ${r + 1} ${tool}: agree ${m.agreeMs} ms, full ${m.fullMs} ms, acked ${m.acked}, missing ${m.missing}, failed ${m.failed}, fail window ${m.failWindowMs} ms, stall ${m.stallMs} ms`);
      }
    } finally {
      client.disconnect();
      await topology.close();
      await local.stop();
    }
  }
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
const rows: string[] = [];
const ratios: string[] = [];
for (const mode of MODES) {
  for (const tool of ['ours', 'redis-cli'] as Tool[]) {
    const ms = results[mode][tool];
    const label = tool === 'ours' ? '`FailoverController.failover()`' : '`redis-cli CLUSTER FAILOVER` + `--cluster check` loop';
    rows.push(
      `| ${mode} | ${label} | ${median(ms.map((m) => m.agreeMs))} | ${median(ms.map((m) => m.fullMs))} | ${sum(ms.map((m) => m.missing))} of ${sum(ms.map((m) => m.acked))} | ${sum(ms.map((m) => m.failed))} | ${median(ms.map((m) => m.failWindowMs))} | ${median(ms.map((m) => m.stallMs))} |`,
    );
  }
  const ours = median(results[mode].ours.map((m) => m.fullMs));
  const cli = median(results[mode]['redis-cli'].map((m) => m.fullMs));
  ratios.push(`${mode} ${(ours / cli).toFixed(2)}`);
}
console.log(rows.join('\n'));
const lostLine = (['force', 'takeover'] as FailoverMode[])
  .map((mode) => {
    const all = [...results[mode].ours, ...results[mode]['redis-cli']];
    return `${mode}: ${sum(all.map((m) => m.missing))} of ${sum(all.map((m) => m.acked))} acknowledged writes`;
  })
  .join('; ');
const failedTotal = sum(MODES.flatMap((mode) => [...results[mode].ours, ...results[mode]['redis-cli']].map((m) => m.failed)));
const failedLine =
  failedTotal === 0
    ? 'No write failed in any mode: ioredis follows the MOVED redirections (and waits while the master pauses writes), so clients see a stall, not errors.'
    : `${failedTotal} writes failed in all (see the table for the window in which they did).`;

writeBenchSection(
  'failover',
  `## Manual failover under write load (default, force, takeover)

Command: \`npx tsx bench/failover.ts ${RUNS}\` — ${await machineLine()}

Each run starts a 3 x 1 cluster over 127.0.0.1-3 (cluster-node-timeout ${NODE_TIMEOUT_MS}), runs ${WRITERS} ioredis writers
setting sequential keys, fails over the replica of the first master once with our SDK and once by hand with
\`redis-cli\` (order alternating), writing all along (1 s before, 1.5 s after), then reads back every
acknowledged key. ${RUNS} runs per mode.

- *done*: from the failover command until the tool says it is done: ours when \`failover()\` resolves (the replica
  is master, the old master its replica, every view agrees); by hand when \`redis-cli --cluster check\`, polled every
  50 ms, shows the new master and \`[OK]\` (it checks slot owners only). Median.
- *every node agrees*: the same yardstick for both, polled every 10 ms: every node lists the replica as master and the
  old master as its replica (until then, a failover back is refused: "it is a master node"). Median.
- *acknowledged writes missing*: writes the client saw succeed whose value is not there afterwards (total).
- *failed writes* (total) and *write-failure window*: from the first to the last failed write in a run (median).
- *stall*: the longest gap between two acknowledged writes to the switched master's slots (median): clients are
  paused (default mode) or redirected rather than failed.

| mode | tool | done (ms) | every node agrees (ms) | acknowledged writes missing | failed writes | write-failure window (ms) | stall (ms) |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}

Ratio of the time until every node agrees, ours / by hand: ${ratios.join(', ')}. The others learn that the old
master became a replica from its own pings, every cluster-node-timeout / 2 (7.5 s here) at worst; \`failover()\`
lowers the old master's cluster-node-timeout to 500 ms for the switch (restored after), so it tells them at once.

Default mode loses no acknowledged write by construction: the master stops writes, the replica catches up to its
replication offset, and only then is it promoted (the fault test \`test/faults/failover-write-load.test.ts\` proves
it on every run). Force and takeover skip that handshake: what the old master acknowledged after the last offset its
replica received is discarded when it turns into a replica and resyncs (here ${lostLine}). ${failedLine}
Use force or takeover only when the master is down.`,
);
