/**
 * How each operation's cost grows with the cluster: 6 -> 30 -> 100 nodes (masters x 1 replica),
 * ours vs `redis-cli --cluster` on the same fresh nodes, tools alternating.
 *   create   until strict agreement (same members everywhere, none in handshake or fail?,
 *            same roles and slot owners, cluster_state:ok); also when our call returned
 *   check    ClusterTopology.check() (fresh connections each time) vs `redis-cli --cluster check`
 *   add      10 empty masters joined one by one (until agreement), then
 *   rebalance onto them with keys (`--cluster-use-empty-masters`), until agreement
 *   drain    every slot of one master (with keys) to the others: drain() vs `rebalance --cluster-weight ID=0`
 *   failover shards one by one: FailoverController.failover() vs what an operator does by hand
 *            (CLUSTER FAILOVER on the replica, poll ROLE until it is master), then strict agreement
 *   forget   a killed replica: forgetEverywhere() vs CLUSTER FORGET on every node (redis-cli per node),
 *            until no node lists it
 * Prints ratios with met / not met, the SDK's RSS, writes docs/benchmarks.md and charts.
 * Run: npx tsx bench/scale.ts [sizes=6,30,100] [runs=2] [parts=create,check,ops,add]
 *   (ops: failover, drain and forget on one cluster; a subset writes its own section and chart)
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { ClusterTopology, FailoverController, LocalCluster, type ClusterState, SlotMigrator, findDisagreements, formatAddress, type NodeAddress } from '../src/index';
import { writeKeys } from '../test/helpers/dataset';
import { writeLineChart, type ChartPoint } from './lib/chart';
import { machineLine, median, writeBenchSection } from './lib/report';

const run = promisify(execFile);
const SIZES = (process.argv[2] ?? '6,30,100').split(',').map(Number);
const RUNS = Number(process.argv[3] ?? 2);
const ALL_PARTS = ['create', 'check', 'ops', 'add'] as const;
const PARTS = new Set((process.argv[4] ?? ALL_PARTS.join(',')).split(','));
const SECTION = ALL_PARTS.every((part) => PARTS.has(part)) ? 'scale' : `scale-${[...PARTS].join('-')}`;
/** The runbook's cluster-node-timeout (section 7). */
const NODE_TIMEOUT_MS = 15_000;
const KEYS = 20_000;
/** Keys in the cluster that check, drain, failover and forget run on. */
const SMALL_KEYS = 5_000;
const CHECK_RUNS = 5;
/** Every sample of the last run, for a post-mortem (not committed). */
const RAW = '/tmp/redis-cluster-ops-scale.json';
/** Shards failed over per tool and run (every shard up to this many, to keep a 100-node run short). */
const MAX_FAILOVERS = 10;
/** Empty masters added (and rebalanced onto) at every size. */
const ADDED = 10;

type Tool = 'ours' | 'redis-cli';
const TOOLS: readonly Tool[] = ['ours', 'redis-cli'];

interface SizeResult {
  nodes: number;
  create: Record<Tool, number[]>;
  createReturned: number[];
  check: Record<Tool, number[]>;
  add: Record<Tool, number[]>;
  rebalance: Record<Tool, number[]>;
  drain: Record<Tool, number[]>;
  failover: Record<Tool, number[]>;
  failovers: number;
  forget: Record<Tool, number[]>;
  added: number;
  rssMb: number;
  /** Parts that failed at this size, with the error's code. */
  failures: string[];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const empty = (): Record<Tool, number[]> => ({ ours: [], 'redis-cli': [] });

/** Polls until every node agrees by the strict reading; returns when that was. */
async function strictAgreement(seeds: readonly NodeAddress[], expectNodes: number): Promise<number> {
  return settled(seeds, `strict agreement among ${expectNodes} nodes`, (state) => state.views.length === expectNodes && findDisagreements(state.views, { requireStateOk: true, requireHealthy: true }).length === 0);
}

/** Polls fresh snapshots (every 50 ms) until `accept` holds; returns when that was. */
async function settled(seeds: readonly NodeAddress[], what: string, accept: (state: ClusterState) => boolean, timeoutMs = 240_000): Promise<number> {
  const topology = new ClusterTopology({ seeds: [...seeds] });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const state = await topology.refresh().catch(() => undefined);
      if (state !== undefined && accept(state)) return Date.now();
      if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
      await sleep(50);
    }
  } finally {
    await topology.close();
  }
}

/** A fresh masters x 1 replica cluster of `nodes` nodes holding `keys` keys. */
async function clusterWithKeys(nodes: number, keys: number, prefix: string): Promise<LocalCluster> {
  const local = await LocalCluster.start({ masters: nodes / 2, replicasPerMaster: 1, nodeTimeoutMs: NODE_TIMEOUT_MS });
  const client = local.client();
  try {
    await writeKeys(client, keys, { prefix });
  } catch (error) {
    await local.stop();
    throw error;
  } finally {
    client.disconnect();
  }
  return local;
}

async function createOnce(tool: Tool, nodes: number, result: SizeResult): Promise<void> {
  const local = await LocalCluster.start({ masters: nodes, replicasPerMaster: 0, create: false, nodeTimeoutMs: NODE_TIMEOUT_MS });
  try {
    // Redis keeps a fresh master out of service for 2 s after start (CLUSTER_WRITABLE_DELAY): both tools start after it.
    await sleep(2500);
    const started = Date.now();
    if (tool === 'ours') {
      const topology = new ClusterTopology({ seeds: [] });
      try {
        await topology.create(local.seeds, { replicasPerMaster: 1 });
        result.createReturned.push(Date.now() - started);
      } finally {
        await topology.close();
      }
    } else {
      await run('redis-cli', ['--cluster', 'create', ...local.seeds.map(formatAddress), '--cluster-replicas', '1', '--cluster-yes'], { maxBuffer: 64 * 2 ** 20 });
    }
    const agreed = await strictAgreement(local.seeds, nodes);
    result.create[tool].push(agreed - started);
    console.log(`  create ${tool}: ${agreed - started} ms`);
  } finally {
    await local.stop();
  }
}

async function checkRuns(local: LocalCluster, result: SizeResult): Promise<void> {
  const seed = local.seeds[0] as NodeAddress;
  for (let i = 0; i < CHECK_RUNS; i++) {
    for (const tool of i % 2 === 0 ? TOOLS : [...TOOLS].reverse()) {
      const started = process.hrtime.bigint();
      if (tool === 'ours') {
        const topology = new ClusterTopology({ seeds: [seed] });
        try {
          const report = await topology.check();
          if (!report.ok) throw new Error(`check found problems: ${report.problems.map((p) => p.message).join('; ')}`);
        } finally {
          await topology.close();
        }
      } else {
        await run('redis-cli', ['--cluster', 'check', formatAddress(seed)], { maxBuffer: 64 * 2 ** 20 });
      }
      result.check[tool].push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  }
  result.rssMb = Math.round(process.memoryUsage().rss / 2 ** 20);
  console.log(`  check ours ${median(result.check.ours).toFixed(1)} ms, redis-cli ${median(result.check['redis-cli']).toFixed(1)} ms, RSS ${result.rssMb} MiB`);
}

async function addOnce(tool: Tool, nodes: number, result: SizeResult): Promise<void> {
  const local = await clusterWithKeys(nodes, KEYS, 'scale');
  try {
    const fresh: NodeAddress[] = [];
    for (let i = 0; i < result.added; i++) fresh.push(await local.startNode());
    const seed = local.seeds[0] as NodeAddress;
    const total = nodes + fresh.length;
    const started = Date.now();
    if (tool === 'ours') {
      const topology = new ClusterTopology({ seeds: [seed] });
      try {
        for (const node of fresh) await topology.addNode(node, { as: 'master' });
        const joined = await strictAgreement([seed], total);
        result.add.ours.push(joined - started);
        await new SlotMigrator(topology).rebalance({ useEmptyMasters: true });
        result.rebalance.ours.push((await strictAgreement([seed], total)) - joined);
      } finally {
        await topology.close();
      }
    } else {
      // add-node refuses while the nodes disagree (the previous one still joining): an operator waits between them.
      for (const [index, node] of fresh.entries()) {
        await run('redis-cli', ['--cluster', 'add-node', formatAddress(node), formatAddress(seed)], { maxBuffer: 64 * 2 ** 20 });
        if (index < fresh.length - 1) await strictAgreement([seed], nodes + index + 1);
      }
      // redis-cli's rebalance fails while a node does not yet know a new one: wait, as an operator must.
      const joined = await strictAgreement([seed], total);
      result.add['redis-cli'].push(joined - started);
      await run('redis-cli', ['--cluster', 'rebalance', formatAddress(seed), '--cluster-use-empty-masters'], { maxBuffer: 64 * 2 ** 20 });
      result.rebalance['redis-cli'].push((await strictAgreement([seed], total)) - joined);
    }
    console.log(`  add ${result.added}: ${tool} ${result.add[tool].at(-1)} ms; rebalance ${KEYS} keys onto them: ${result.rebalance[tool].at(-1)} ms`);
  } finally {
    await local.stop();
  }
}

/** Until strict agreement, from `started`. */
async function agreedAfter(seed: NodeAddress, nodes: number, started: number): Promise<number> {
  return (await strictAgreement([seed], nodes)) - started;
}

/** Drain, failover and forget, both tools on one cluster (each on its own master / shards / replica). */
async function operationsOnce(run_: number, nodes: number, result: SizeResult): Promise<void> {
  const local = await clusterWithKeys(nodes, SMALL_KEYS, 'ops');
  try {
    const seed = local.seeds[0] as NodeAddress;
    const order = run_ % 2 === 0 ? TOOLS : [...TOOLS].reverse();
    if (run_ === 0 && PARTS.has('check')) await checkRuns(local, result);
    if (!PARTS.has('ops')) return;
    const topology = new ClusterTopology({ seeds: [seed] });
    try {
      // Failover: each tool promotes the replicas of up to MAX_FAILOVERS shards that still serve slots, one by one.
      for (const tool of order) {
        const state = await topology.refresh();
        const shards = state.slotOwners.slice(0, MAX_FAILOVERS).map((master) => state.replicasOf(master.id)[0]).filter((replica) => replica !== undefined);
        result.failovers = shards.length;
        const started = Date.now();
        if (tool === 'ours') {
          const controller = new FailoverController(topology);
          for (const replica of shards) await controller.failover(replica.id);
        } else {
          for (const replica of shards) {
            await run('redis-cli', ['-h', replica.host, '-p', String(replica.port), 'cluster', 'failover']);
            for (;;) {
              const { stdout } = await run('redis-cli', ['-h', replica.host, '-p', String(replica.port), 'role']);
              if (stdout.startsWith('master')) break;
              await sleep(100);
            }
          }
        }
        result.failover[tool].push(await agreedAfter(seed, nodes, started));
        console.log(`  fail over ${shards.length} shard(s) ${tool}: ${result.failover[tool].at(-1)} ms`);
      }
      // Drain: each tool empties its own master into all the others.
      const masters = (await topology.refresh()).slotOwners;
      for (const [index, tool] of order.entries()) {
        const master = masters[index] as (typeof masters)[number];
        const started = Date.now();
        if (tool === 'ours') await new SlotMigrator(topology).drain(master.id);
        else await run('redis-cli', ['--cluster', 'rebalance', formatAddress(seed), '--cluster-weight', `${master.id}=0`], { maxBuffer: 64 * 2 ** 20 });
        result.drain[tool].push(await agreedAfter(seed, nodes, started));
        console.log(`  drain ${tool}: ${result.drain[tool].at(-1)} ms`);
      }
      // Forget: two replicas killed; each tool forgets one.
      const state = await topology.refresh();
      const victims = state.replicas.filter((replica) => replica.address !== formatAddress(seed)).slice(-2);
      for (const victim of victims) await local.killNode(victim.address);
      for (const [index, tool] of order.entries()) {
        const victim = victims[index] as (typeof victims)[number];
        const started = Date.now();
        if (tool === 'ours') {
          await topology.forgetEverywhere(victim.id);
        } else {
          const others = state.nodes.filter((node) => !victims.some((v) => v.id === node.id));
          for (const node of others) await run('redis-cli', ['-h', node.host, '-p', String(node.port), 'cluster', 'forget', victim.id]);
        }
        // Still lists the other victim until it is forgotten too: wait for the one just forgotten only.
        result.forget[tool].push(await goneEverywhere(seed, victim.id, started));
        console.log(`  forget a dead replica ${tool}: ${result.forget[tool].at(-1)} ms`);
      }
    } finally {
      await topology.close();
    }
  } finally {
    await local.stop();
  }
}

/** Until no node lists `nodeId`; returns the time from `started`. */
async function goneEverywhere(seed: NodeAddress, nodeId: string, started: number): Promise<number> {
  const gone = (state: ClusterState): boolean => state.views.every((view) => !view.nodes.some((node) => node.id === nodeId));
  return (await settled([seed], `node that lists ${nodeId}`, gone)) - started;
}

const results: SizeResult[] = [];
const loadBefore = loadavg()[0] as number;
for (const nodes of SIZES) {
  const result: SizeResult = {
    nodes,
    create: empty(),
    createReturned: [],
    check: empty(),
    add: empty(),
    rebalance: empty(),
    drain: empty(),
    failover: empty(),
    failovers: 0,
    forget: empty(),
    added: ADDED,
    rssMb: 0,
    failures: [],
  };
  console.log(`=== ${nodes} nodes (load average ${loadavg()[0]?.toFixed(1)})`);
  // A part that fails is reported as such (with its error code) and the run goes on.
  const attempt = async (part: string, work: () => Promise<void>): Promise<void> => {
    try {
      await work();
    } catch (error) {
      const code = (error as { code?: string }).code ?? (error as Error).name;
      result.failures.push(`${part}: ${code} (${String((error as Error).message).split('\n')[0]?.slice(0, 160)})`);
      console.log(`  ${part} FAILED: ${result.failures.at(-1)}`);
    }
  };
  if (PARTS.has('create')) for (let i = 0; i < RUNS; i++) for (const tool of i % 2 === 0 ? TOOLS : [...TOOLS].reverse()) await attempt(`create ${tool}`, () => createOnce(tool, nodes, result));
  if (PARTS.has('check') || PARTS.has('ops')) for (let i = 0; i < (PARTS.has('ops') ? RUNS : 1); i++) await attempt('check / operations', () => operationsOnce(i, nodes, result));
  if (PARTS.has('add')) for (let i = 0; i < RUNS; i++) for (const tool of i % 2 === 0 ? TOOLS : [...TOOLS].reverse()) await attempt(`add ${tool}`, () => addOnce(tool, nodes, result));
  result.rssMb = Math.max(result.rssMb, Math.round(process.memoryUsage().rss / 2 ** 20));
  results.push(result);
  writeFileSync(RAW, JSON.stringify(results, null, 1));
}
const loadAfter = loadavg()[0] as number;

const fmt = (values: readonly number[]): string => values.map((v) => Math.round(v)).join(', ');
const spread = (values: readonly number[]): string => (values.length < 2 ? 'n=1' : `${Math.round(Math.min(...values))}-${Math.round(Math.max(...values))}`);
const verdict = (met: boolean): string => (met ? 'met' : '**not met**');

interface Operation {
  label: string;
  pick: (r: SizeResult) => Record<Tool, number[]>;
  /** The goal on ours / redis-cli (median), if this operation has one at this size. */
  goal?: (r: SizeResult) => { text: string; met: (ratio: number) => boolean } | undefined;
}
const OPERATIONS: Operation[] = [
  { label: 'create', pick: (r) => r.create, goal: () => ({ text: '<= 0.333', met: (x) => x <= 1 / 3 }) },
  { label: 'check', pick: (r) => r.check, goal: () => ({ text: '<= 1', met: (x) => x <= 1 }) },
  { label: `add ${ADDED} empty masters`, pick: (r) => r.add },
  { label: `rebalance ${KEYS} keys onto them`, pick: (r) => r.rebalance, goal: (r) => (r.nodes >= 100 ? { text: '<= 0.1 (10x)', met: (x) => x <= 0.1 } : undefined) },
  { label: `drain a master (${SMALL_KEYS} keys in the cluster)`, pick: (r) => r.drain },
  { label: 'fail over shards one by one', pick: (r) => r.failover },
  { label: 'forget a dead replica everywhere', pick: (r) => r.forget },
];

const rows: string[] = [];
const goals: string[] = [];
for (const r of results) {
  for (const operation of OPERATIONS) {
    const samples = operation.pick(r);
    if (samples.ours.length === 0 && samples['redis-cli'].length === 0) continue;
    const cellOf = (tool: Tool): string => (samples[tool].length === 0 ? 'failed' : `${Math.round(median(samples[tool]))} (${spread(samples[tool])})`);
    if (samples.ours.length === 0 || samples['redis-cli'].length === 0) {
      rows.push(`| ${r.nodes} | ${operation.label} | ${cellOf('ours')} | ${cellOf('redis-cli')} | | ${operation.goal?.(r) === undefined ? '' : '**not met**'} |`);
      continue;
    }
    const ratio = median(samples.ours) / median(samples['redis-cli']);
    const goal = operation.goal?.(r);
    const label = operation.label === 'fail over shards one by one' ? `fail over ${r.failovers} shard(s) one by one` : operation.label;
    const cell = goal === undefined ? '' : `${goal.text}: ${verdict(goal.met(ratio))}`;
    rows.push(`| ${r.nodes} | ${label} | ${cellOf('ours')} | ${cellOf('redis-cli')} | ${ratio.toFixed(3)} (${(1 / ratio).toFixed(1)}x) | ${cell} |`);
    if (goal !== undefined) goals.push(`${r.nodes} nodes, ${label}: ours / redis-cli ${ratio.toFixed(3)}, goal ${goal.text}: ${goal.met(ratio) ? 'met' : 'NOT MET'}`);
  }
}
console.log(['| nodes | operation | ours ms median (range) | redis-cli ms median (range) | ours / redis-cli | goal |', ...rows].join('\n'));
for (const r of results) for (const failure of r.failures) console.log(`FAILED at ${r.nodes} nodes: ${failure}`);
console.log(`create() returned (ms): ${results.map((r) => `${r.nodes}: ${fmt(r.createReturned)}`).join('; ')}`);
console.log(`RSS of the benchmark process (MiB): ${results.map((r) => `${r.nodes}: ${r.rssMb}`).join('; ')}`);
for (const line of goals) console.log(line);

const points = (pick: (r: SizeResult) => Record<Tool, number[]>, label: string): ChartPoint[] =>
  results.flatMap((r) =>
    TOOLS.filter((tool) => pick(r)[tool].length > 0).map((tool) => ({ x: r.nodes, y: median(pick(r)[tool]), series: label, style: tool === 'ours' ? 'redis-cluster-ops' : 'redis-cli' })),
  );
const chart = await writeLineChart({
  name: SECTION,
  title: 'Time per operation against cluster size (median, ms; solid: redis-cluster-ops, dashed: redis-cli)',
  xTitle: 'nodes (masters x 1 replica)',
  yTitle: 'ms (log scale)',
  logY: true,
  marks: true,
  points: OPERATIONS.flatMap((operation) => points(operation.pick, operation.label.replace(/ \(.*\)$/, ''))),
});

writeBenchSection(
  SECTION,
  `## Cost growth with cluster size${SECTION === 'scale' ? '' : ` (${[...PARTS].join(', ')})`}

Command: \`npx tsx bench/scale.ts ${SIZES.join(',')} ${RUNS}${SECTION === 'scale' ? '' : ` ${[...PARTS].join(',')}`}\` — ${await machineLine()}; load average ${loadBefore.toFixed(1)} at the start, ${loadAfter.toFixed(1)} at the end (a shared machine).

Fresh redis-server processes with cluster-node-timeout ${NODE_TIMEOUT_MS}, masters x 1 replica; ${RUNS} run(s) per size, the tools
taking turns to go first (check: ${CHECK_RUNS} runs each, on the first run's cluster). Every time counts until **strict agreement**:
every node lists the same members, none in handshake or flagged fail/fail?, the same roles and slot owners, and cluster_state:ok
(create() itself waits for exactly that before it returns). Add: ${ADDED} empty masters joined one by one (redis-cli: \`--cluster add-node\`
each); rebalance: ${KEYS} keys onto them (\`--cluster-use-empty-masters\`), timed from the agreement after the add. Drain: one master's
slots and keys to the others (redis-cli: \`--cluster rebalance --cluster-weight ID=0\`). Failover: redis-cli has no --cluster
command for it, so the operator's way: \`CLUSTER FAILOVER\` on each replica and \`ROLE\` polled until it is master, shard after shard
(up to ${MAX_FAILOVERS} shards per tool); ours: FailoverController.failover() per shard. Forget: a killed replica; redis-cli:
\`CLUSTER FORGET\` sent to every node in turn, until no node lists it; ours: forgetEverywhere(). Median (range over runs).

| nodes | operation | ours ms median (range) | redis-cli ms median (range) | ours / redis-cli | goal |
|---|---|---|---|---|---|
${rows.join('\n')}

${results.flatMap((r) => r.failures.map((f) => `- **Failed at ${r.nodes} nodes**: ${f}`)).join('\n')}

create() returned after (ms): ${results.map((r) => `${r.nodes} nodes: ${fmt(r.createReturned)}`).join('; ')}.
RSS of the benchmark process, SDK included (MiB): ${results.map((r) => `${r.nodes} nodes: ${r.rssMb}`).join('; ')}.

${chart}`,
);
