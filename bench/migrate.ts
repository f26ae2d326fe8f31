/**
 * Slot migration: ours vs `redis-cli --cluster reshard / rebalance`, same data and the same client load, one run.
 *   (a) one pair: reshard 1000 slots holding 60k keys of 64 B back and forth between two masters, tools taking
 *       turns (order alternating per run): ours with its default latency budget, ours with the budget off, and
 *       redis-cli at --cluster-pipeline 10 (its default), 100 and 1000. Two clients run all along, each in its own
 *       process: a closed loop (SET+GET, 8 in flight) and a fixed-rate one (1000 ops/s, latency from the intended
 *       send time); each tool's span is measured separately.
 *   (b) the physical limit, without client load: a bare reshard inside the cluster (same 1000 slots and 60k keys:
 *       IMPORTING / MIGRATING in two pipelines, one MIGRATE per slot, SETSLOT NODE in one pipeline per master; no
 *       checks) taking turns with ours, budget off, on the same cluster; and for reference the bare MIGRATE loop
 *       between two standalone servers (60 keys per MIGRATE, one in flight), which cluster mode cannot reach.
 *   (c) a rebalance with keys from several sources at once: 3 masters holding 30k keys + 1 empty master,
 *       `rebalance({ useEmptyMasters: true })` vs `redis-cli --cluster rebalance --cluster-use-empty-masters`,
 *       fresh cluster per run, under the same two clients.
 * Every run also samples CLUSTER NODES of every master (every 10 ms) for the most slots open at once.
 * Run: npx tsx bench/migrate.ts [runs]
 * Exploring (prints only, docs/benchmarks.md untouched): BENCH_OURS='{"maxOpenSlots":64}' merges options into both
 * of ours; BENCH_TOOLS=ours,cli-10 picks tools of (a); BENCH_PARTS=a,b picks parts.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Cluster } from 'ioredis';
import { ClusterTopology, LocalCluster, SlotMigrator, formatAddress, keySlot, type SlotMigratorOptions } from '../src/index';
import { bareClusterReshard, bareMigrateLoop } from './lib/bare-migrate';
import { startClientLoad, type ClientFigures, type ClientLoad } from './lib/client-load';
import { sampleOpenSlots } from './lib/open-slot-sampler';
import { machineLine, median, writeBenchSection } from './lib/report';

const run = promisify(execFile);
const RUNS = Number(process.argv[2] ?? 3);
const SLOTS = 1000;
const KEYS_PER_SLOT = 60;
const TOTAL = SLOTS * KEYS_PER_SLOT;
const VALUE = 'v'.repeat(64);
const FIXED_RATE = 1000;
const REBALANCE_KEYS = 30_000;

type Tool = 'ours' | 'ours-off' | 'cli-10' | 'cli-100' | 'cli-1000';
const ALL_TOOLS: Tool[] = ['ours', 'ours-off', 'cli-10', 'cli-100', 'cli-1000'];
const EXTRA = JSON.parse(process.env['BENCH_OURS'] ?? '{}') as SlotMigratorOptions;
const TOOLS: Tool[] = process.env['BENCH_TOOLS'] === undefined ? ALL_TOOLS : ALL_TOOLS.filter((tool) => process.env['BENCH_TOOLS']!.split(',').includes(tool));
const PARTS = (process.env['BENCH_PARTS'] ?? 'a,b,c').split(',');
const EXPLORING = process.env['BENCH_OURS'] !== undefined || process.env['BENCH_TOOLS'] !== undefined || process.env['BENCH_PARTS'] !== undefined;
const OPTIONS: Partial<Record<Tool, SlotMigratorOptions>> = { ours: { ...EXTRA }, 'ours-off': { ...EXTRA, latencyBudgetMs: null } };

interface Sample {
  ms: number;
  closed: ClientFigures;
  fixed: ClientFigures;
  open: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const spread = (values: readonly number[], digits = 0): string => `${median(values).toFixed(digits)} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;
const verdict = (met: boolean): string => (met ? 'met' : 'NOT met');

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

/** Writes `count` keys, 500 at a time (ioredis groups them per node). */
async function fill(client: Cluster, keys: (i: number) => string, count: number, value = VALUE): Promise<void> {
  for (let i = 0; i < count; i += 500) {
    await Promise.all(Array.from({ length: Math.min(500, count - i) }, (_, k) => client.set(keys(i + k), value)));
  }
}

/** Runs `work` while both clients measure it; returns its ms, their figures and the most slots open at once. */
async function measured(topology: ClusterTopology, clients: ClientLoad[], work: () => Promise<void>): Promise<Sample> {
  const masters = (await topology.refresh()).masters.map((m) => ({ host: m.host, port: m.port }));
  await Promise.all(clients.map((client) => client.reset()));
  const sampler = sampleOpenSlots(masters);
  const started = performance.now();
  await work();
  const ms = performance.now() - started;
  const [closed, fixed] = (await Promise.all(clients.map((client) => client.report()))) as [ClientFigures, ClientFigures];
  return { ms, closed, fixed, open: await sampler.stop() };
}

async function reshardOnce(tool: Tool, topology: ClusterTopology, seed: string, from: string, to: string): Promise<void> {
  const options = OPTIONS[tool];
  if (options !== undefined) {
    await new SlotMigrator(topology, options).reshard({ from, to, slots: `0-${SLOTS - 1}` });
  } else {
    const pipeline = tool.split('-')[1] as string;
    await run('redis-cli', ['--cluster', 'reshard', seed, '--cluster-from', from, '--cluster-to', to, '--cluster-slots', String(SLOTS), '--cluster-yes', '--cluster-pipeline', pipeline], { maxBuffer: 64 * 1024 * 1024 });
  }
}

async function benchOnePair(): Promise<{ samples: Record<Tool, Sample[]>; baseline: { closed: ClientFigures; fixed: ClientFigures } }> {
  const local = await LocalCluster.start({ masters: 3, replicasPerMaster: 0 });
  const topology = local.topology();
  const client = local.client();
  const samples = Object.fromEntries(TOOLS.map((t) => [t, [] as Sample[]])) as Record<Tool, Sample[]>;
  const clients: ClientLoad[] = [];
  try {
    const tags = tagsForSlots();
    await fill(client, (i) => `{${tags[Math.floor(i / KEYS_PER_SLOT)]}}:${i % KEYS_PER_SLOT}`, TOTAL);
    clients.push(await startClientLoad(local.seeds, 'closed', 'closed'), await startClientLoad(local.seeds, 'fixed', `fixed:${FIXED_RATE}`));
    await sleep(500);
    await Promise.all(clients.map((c) => c.reset()));
    await sleep(1500);
    const [closed, fixed] = (await Promise.all(clients.map((c) => c.report()))) as [ClientFigures, ClientFigures];
    const seed = formatAddress(local.seeds[0]!);
    const state = await topology.refresh();
    let from = state.ownerOf(0)!.id;
    let to = state.masters.find((m) => m.id !== from)!.id;
    for (let r = 0; r < RUNS; r++) {
      for (const tool of r % 2 === 0 ? TOOLS : [...TOOLS].reverse()) {
        const sample = await measured(topology, clients, () => reshardOnce(tool, topology, seed, from, to));
        await topology.waitForConvergence();
        if ((await topology.refresh()).ownerOf(0)?.id !== to) throw new Error(`${tool} did not move slot 0 to ${to}`);
        samples[tool].push(sample);
        console.log(
          `(a) run ${r + 1} ${tool}: ${sample.ms.toFixed(0)} ms, ${((TOTAL * 1000) / sample.ms).toFixed(0)} keys/s, closed p99 ${sample.closed.p99.toFixed(2)} ms, fixed p99 ${sample.fixed.p99.toFixed(2)} ms, failed ${sample.closed.failed + sample.fixed.failed}, open ${sample.open}`,
        );
        [from, to] = [to, from];
      }
    }
    return { samples, baseline: { closed, fixed } };
  } finally {
    for (const c of clients) await c.stop();
    client.disconnect();
    await topology.close();
    await local.stop();
  }
}

/** (b): the bare in-cluster reshard and ours with the budget off, taking turns on one cluster with no client load. */
async function benchQuietLimit(): Promise<{ bare: number[]; ours: number[] }> {
  const local = await LocalCluster.start({ masters: 3, replicasPerMaster: 0 });
  const topology = local.topology();
  const client = local.client();
  const rates = { bare: [] as number[], ours: [] as number[] };
  try {
    const tags = tagsForSlots();
    await fill(client, (i) => `{${tags[Math.floor(i / KEYS_PER_SLOT)]}}:${i % KEYS_PER_SLOT}`, TOTAL);
    const slots = Array.from({ length: SLOTS }, (_, slot) => slot);
    const keysOf = (slot: number): string[] => Array.from({ length: KEYS_PER_SLOT }, (_, i) => `{${tags[slot]}}:${i}`);
    for (let r = 0; r < RUNS; r++) {
      for (const tool of r % 2 === 0 ? (['bare', 'ours'] as const) : (['ours', 'bare'] as const)) {
        const state = (await topology.waitForConvergence()).state;
        const from = state.ownerOf(0)!;
        const to = state.masters.find((m) => m.id !== from.id)!;
        if (tool === 'bare') {
          rates.bare.push(await bareClusterReshard({ from, to, masters: state.masters, slots, keysOf }));
        } else {
          const started = performance.now();
          await new SlotMigrator(topology, { ...EXTRA, latencyBudgetMs: null }).execute(await new SlotMigrator(topology).planReshard({ from: from.id, to: to.id, slots: `0-${SLOTS - 1}` }));
          rates.ours.push((TOTAL * 1000) / (performance.now() - started));
        }
        console.log(`(b) run ${r + 1} ${tool === 'bare' ? 'bare in-cluster reshard' : 'ours, budget off'}: ${rates[tool].at(-1)!.toFixed(0)} keys/s`);
      }
    }
    return rates;
  } finally {
    client.disconnect();
    await topology.close();
    await local.stop();
  }
}

async function rebalanceOnce(tool: 'ours' | 'cli'): Promise<Sample> {
  const local = await LocalCluster.start({ masters: 3, replicasPerMaster: 0 });
  const topology = local.topology();
  const client = local.client();
  const clients: ClientLoad[] = [];
  try {
    await fill(client, (i) => `r:${i}`, REBALANCE_KEYS);
    const node = await local.startNode();
    await topology.addNode(node, { as: 'master' });
    clients.push(await startClientLoad(local.seeds, 'closed', 'closed'), await startClientLoad(local.seeds, 'fixed', `fixed:${FIXED_RATE}`));
    await sleep(500);
    const sample = await measured(topology, clients, async () => {
      if (tool === 'ours') await new SlotMigrator(topology, EXTRA).rebalance({ useEmptyMasters: true });
      else await run('redis-cli', ['--cluster', 'rebalance', formatAddress(local.seeds[0]!), '--cluster-use-empty-masters'], { maxBuffer: 64 * 1024 * 1024 });
    });
    const slots = (await topology.refresh()).node(formatAddress(node))?.slots.size ?? 0;
    if (slots < 4000) throw new Error(`${tool} left the new master with ${slots} slots`);
    return sample;
  } finally {
    for (const c of clients) await c.stop();
    client.disconnect();
    await topology.close();
    await local.stop();
  }
}

const loadAverage = async (): Promise<string> => (await import('node:os')).loadavg().map((n) => n.toFixed(1)).join(' / ');
const loadAtStart = await loadAverage();
const onePair = PARTS.includes('a') ? await benchOnePair() : undefined;
const quiet = PARTS.includes('b') ? await benchQuietLimit() : { bare: [], ours: [] };
const bare = PARTS.includes('b') ? await bareMigrateLoop({ keys: TOTAL, valueBytes: 64, perCall: KEYS_PER_SLOT, runs: RUNS }) : [];
if (bare.length > 0) console.log(`(b) bare MIGRATE loop between standalone servers, ${KEYS_PER_SLOT} keys per call: ${bare.map((r) => r.toFixed(0)).join(', ')} keys/s`);
const rebalance = { ours: [] as Sample[], cli: [] as Sample[] };
for (let r = 0; r < (PARTS.includes('c') ? RUNS : 0); r++) {
  for (const tool of r % 2 === 0 ? (['ours', 'cli'] as const) : (['cli', 'ours'] as const)) {
    const sample = await rebalanceOnce(tool);
    rebalance[tool].push(sample);
    console.log(`(c) run ${r + 1} ${tool}: ${sample.ms.toFixed(0)} ms, closed p99 ${sample.closed.p99.toFixed(2)} ms, fixed p99 ${sample.fixed.p99.toFixed(2)} ms, open ${sample.open}`);
  }
}

if (EXPLORING) {
  if (onePair !== undefined) {
    for (const tool of TOOLS) {
      const samples = onePair.samples[tool];
      console.log(`explore ${tool}: ${median(samples.map((x) => (TOTAL * 1000) / x.ms)).toFixed(0)} keys/s, closed p99 ${median(samples.map((x) => x.closed.p99)).toFixed(2)} ms, fixed p99 ${median(samples.map((x) => x.fixed.p99)).toFixed(2)} ms`);
    }
  }
  for (const tool of ['ours', 'cli'] as const) {
    if (rebalance[tool].length > 0) console.log(`explore rebalance ${tool}: ${median(rebalance[tool].map((x) => x.ms)).toFixed(0)} ms, closed p99 ${median(rebalance[tool].map((x) => x.closed.p99)).toFixed(2)} ms`);
  }
  if (bare.length > 0) console.log(`explore bare: standalone ${median(bare).toFixed(0)} keys/s, in-cluster ${median(quiet.bare).toFixed(0)} keys/s, ours budget off ${median(quiet.ours).toFixed(0)} keys/s`);
  process.exit(0);
}
if (onePair === undefined) throw new Error('unreachable: the full run has part (a)');

// Ratios and goals, from medians over the runs.
const s = onePair.samples;
const rate = (tool: Tool): number => (TOTAL * 1000) / median(s[tool].map((x) => x.ms));
const p99 = (samples: readonly Sample[], kind: 'closed' | 'fixed'): number => median(samples.map((x) => x[kind].p99));
const cliBest = Math.max(rate('cli-10'), rate('cli-100'), rate('cli-1000'));
const bareRate = median(quiet.bare);
const vsCli = (cli: Tool): { ratio: number; met: boolean } => {
  const ratio = rate('ours') / rate(cli);
  return { ratio, met: ratio >= 1.5 && p99(s.ours, 'closed') <= p99(s[cli], 'closed') && p99(s.ours, 'fixed') <= p99(s[cli], 'fixed') };
};
const g10 = vsCli('cli-10');
const g100 = vsCli('cli-100');
const offVsBare = median(quiet.ours) / bareRate;
const offVsBest = rate('ours-off') / cliBest;
const offVsDefault = rate('ours-off') / rate('cli-10');
const rebalanceRatio = median(rebalance.cli.map((x) => x.ms)) / median(rebalance.ours.map((x) => x.ms));
const rebalanceMet = rebalanceRatio >= 3 && p99(rebalance.ours, 'closed') <= p99(rebalance.cli, 'closed') && p99(rebalance.ours, 'fixed') <= p99(rebalance.cli, 'fixed');
const mostOpen = (samples: readonly Sample[]): number => Math.max(0, ...samples.map((x) => x.open));

const goals = [
  `one pair, default budget vs redis-cli pipeline 10: ${g10.ratio.toFixed(2)}x keys/s (goal >= 1.5x at a client p99 <= its) — ${verdict(g10.met)}`,
  `one pair, default budget vs redis-cli pipeline 100: ${g100.ratio.toFixed(2)}x keys/s (goal >= 1.5x at a client p99 <= its) — ${verdict(g100.met)}`,
  `budget off vs the bare in-cluster reshard, both without client load: ${(offVsBare * 100).toFixed(0)}% (goal >= 80%) — ${verdict(offVsBare >= 0.8)}; vs the standalone MIGRATE loop: ${((median(quiet.ours) / median(bare)) * 100).toFixed(0)}%`,
  `budget off vs redis-cli's best: ${offVsBest.toFixed(2)}x (goal >= 2x) — ${verdict(offVsBest >= 2)}; vs its default: ${offVsDefault.toFixed(2)}x (goal >= 4x) — ${verdict(offVsDefault >= 4)}`,
  `rebalance 3 -> 4 masters with keys: ${rebalanceRatio.toFixed(2)}x redis-cli (goal >= 3x at a client p99 <= its) — ${verdict(rebalanceMet)}`,
];
for (const line of goals) console.log(`goal: ${line}`);

const name: Record<Tool, string> = {
  ours: 'redis-cluster-ops `reshard()`, default latency budget',
  'ours-off': 'redis-cluster-ops `reshard()`, `latencyBudgetMs: null` (budget off)',
  'cli-10': '`redis-cli --cluster reshard` (--cluster-pipeline 10, its default)',
  'cli-100': '`redis-cli --cluster reshard --cluster-pipeline 100`',
  'cli-1000': '`redis-cli --cluster reshard --cluster-pipeline 1000`',
};
const row = (label: string, samples: readonly Sample[], keys: number): string => {
  const ms = samples.map((x) => x.ms);
  return `| ${label} | ${spread(ms)} | ${spread(ms.map((t) => (keys * 1000) / t))} | ${spread(samples.map((x) => x.closed.p99), 2)} | ${spread(samples.map((x) => x.fixed.p99), 2)} | ${samples.reduce((n, x) => n + x.closed.failed + x.fixed.failed, 0)} | ${mostOpen(samples)} |`;
};

writeBenchSection(
  'migrate',
  `## Slot migration

Command: \`npx tsx bench/migrate.ts ${RUNS}\` — ${await machineLine()}; load average (1 / 5 / 15 min) ${loadAtStart} at the start, ${await loadAverage()} at the end (the machine is shared)

Figures are medians over ${RUNS} runs per tool, with the range (min–max) in brackets; tools take turns, the order
alternating per run. Two clients run all along, each in its own process: a closed loop (SET+GET on 5000 keys,
8 in flight: *closed p99*) and a fixed-rate one (${FIXED_RATE} ops/s, latency counted from each command's intended
send time: *fixed p99*); each tool's span is measured on its own. *Most open* is the most slots seen
MIGRATING/IMPORTING at once (CLUSTER NODES of every master, every 10 ms): what a crash at the worst moment
leaves open (ours: at most \`maxOpenSlots\`, 16 per pair by default).

### (a) One pair: reshard 1000 slots holding 60,000 keys of 64 B
3 masters, no replicas; slots 0-999 hold 60 keys each and move back and forth between two masters.
Without any move the clients saw: closed p99 ${onePair.baseline.closed.p99.toFixed(2)} ms, fixed p99 ${onePair.baseline.fixed.p99.toFixed(2)} ms.

| tool | move (ms) | keys/s | closed p99 (ms) | fixed p99 (ms) | failed commands | most open |
|---|---|---|---|---|---|---|
${TOOLS.map((tool) => row(name[tool], s[tool], TOTAL)).join('\n')}

### (b) The physical limit, without client load
On one fresh cluster (3 masters, the same 1000 slots and 60,000 keys), taking turns, no client running:
- a bare in-cluster reshard (every slot IMPORTING / MIGRATING in two pipelines, one \`MIGRATE ... KEYS\` per slot with
  the key names known in advance, one in flight, then \`SETSLOT NODE\` in one pipeline per master; no checks, no
  journal, no lease): ${spread(quiet.bare)} keys/s;
- ours with the budget off (\`execute()\` of a reshard plan): ${spread(quiet.ours)} keys/s, ${((median(quiet.ours) / median(quiet.bare)) * 100).toFixed(0)}% of it.

For reference, the bare MIGRATE loop between two standalone servers (cluster mode off, ${KEYS_PER_SLOT} keys per call, one
in flight): ${spread(bare)} keys/s. Cluster mode cannot reach it: a cluster node indexes every key by slot, so each
key it adds or drops costs more.

### (c) Rebalance with keys from several sources at once: 3 -> 4 masters
3 masters holding ${REBALANCE_KEYS.toLocaleString('en-US')} keys of 64 B (spread over all slots) + 1 empty master just added; fresh cluster per run.

| tool | rebalance (ms) | keys/s | closed p99 (ms) | fixed p99 (ms) | failed commands | most open |
|---|---|---|---|---|---|---|
${row('redis-cluster-ops `rebalance({ useEmptyMasters: true })`, default latency budget', rebalance.ours, REBALANCE_KEYS / 4)}
${row('`redis-cli --cluster rebalance --cluster-use-empty-masters`', rebalance.cli, REBALANCE_KEYS / 4)}

(keys/s counts the ~${(REBALANCE_KEYS / 4).toLocaleString('en-US')} keys that move.)

### Goals (medians)
${goals.map((line) => `- ${line}`).join('\n')}

How: a source master runs one MIGRATE at a time and serves no client meanwhile, so the longest MIGRATE is what a
client may wait on top of its usual latency. Ours sends one MIGRATE at a time per source, the next one ready when
the current returns (keys and their sizes fetched ahead in one script call), and a controller sizes each batch
(keys and bytes) from the measured time of the previous ones to stay within \`latencyBudgetMs\` (1.5 ms by
default), measured by the source itself (INFO commandstats right behind each MIGRATE); every source of a plan works
side by side. Slots move in pipelined rounds, two half-rounds of \`maxOpenSlots\` in flight per pair (IMPORTING,
MIGRATING and COUNTKEYSINSLOT for a round in two writes, one SETSLOT NODE write per node with a single epoch bump).
redis-cli moves one slot at a time, one command at a time, and leaves its source idle in between: on a host whose
cores are all busy, a source that is never idle gets descheduled more, which clients see on top of the MIGRATE
blocking (compare the load average in the machine line).`,
);
