/**
 * How each operation's cost grows with the cluster: 6 -> 30 -> 100 nodes (masters x 1 replica),
 * ours vs `redis-cli --cluster` on the same fresh nodes, tools alternating.
 *   create   until strict agreement (same members everywhere, none in handshake or fail?,
 *            same roles and slot owners, cluster_state:ok); also when our call returned
 *   check    ClusterTopology.check() (fresh connections each time) vs `redis-cli --cluster check`
 *   add      K empty masters joined one by one, then a rebalance onto them with keys, until agreement
 * Prints ratios with met / not met, the SDK's RSS, writes docs/benchmarks.md and charts.
 * Run: npx tsx bench/scale.ts [sizes=6,30,100] [runs=2]
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ClusterTopology, LocalCluster, SlotMigrator, findDisagreements, formatAddress, type NodeAddress } from '../src/index';
import { writeKeys } from '../test/helpers/dataset';
import { writeLineChart, type ChartPoint } from './lib/chart';
import { machineLine, median, writeBenchSection } from './lib/report';

const run = promisify(execFile);
const SIZES = (process.argv[2] ?? '6,30,100').split(',').map(Number);
const RUNS = Number(process.argv[3] ?? 2);
/** The runbook's cluster-node-timeout (section 7). */
const NODE_TIMEOUT_MS = 15_000;
const KEYS = 20_000;
const CHECK_RUNS = 5;

type Tool = 'ours' | 'redis-cli';
const TOOLS: readonly Tool[] = ['ours', 'redis-cli'];

interface SizeResult {
  nodes: number;
  create: Record<Tool, number[]>;
  createReturned: number[];
  check: Record<Tool, number[]>;
  add: Record<Tool, number[]>;
  added: number;
  rssMb: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const empty = (): Record<Tool, number[]> => ({ ours: [], 'redis-cli': [] });

/** Polls until every node agrees by the strict reading; returns when that was. */
async function strictAgreement(seeds: readonly NodeAddress[], expectNodes: number, timeoutMs = 180_000): Promise<number> {
  const topology = new ClusterTopology({ seeds: [...seeds] });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const state = await topology.refresh().catch(() => undefined);
      if (state !== undefined && state.views.length === expectNodes) {
        const problems = findDisagreements(state.views, { requireStateOk: true, requireHealthy: true });
        if (problems.length === 0) return Date.now();
      }
      if (Date.now() > deadline) throw new Error(`no strict agreement among ${expectNodes} nodes within ${timeoutMs} ms`);
      await sleep(50);
    }
  } finally {
    await topology.close();
  }
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
  const local = await LocalCluster.start({ masters: nodes / 2, replicasPerMaster: 1, nodeTimeoutMs: NODE_TIMEOUT_MS });
  try {
    const client = local.client();
    await writeKeys(client, KEYS, { prefix: 'scale' });
    client.disconnect();
    const fresh: NodeAddress[] = [];
    for (let i = 0; i < result.added; i++) fresh.push(await local.startNode());
    const seed = local.seeds[0] as NodeAddress;
    const started = Date.now();
    if (tool === 'ours') {
      const topology = new ClusterTopology({ seeds: [seed] });
      try {
        for (const node of fresh) await topology.addNode(node, { as: 'master' });
        await new SlotMigrator(topology).rebalance({ useEmptyMasters: true });
      } finally {
        await topology.close();
      }
    } else {
      for (const node of fresh) await run('redis-cli', ['--cluster', 'add-node', formatAddress(node), formatAddress(seed)], { maxBuffer: 64 * 2 ** 20 });
      // redis-cli's rebalance fails while a node does not yet know a new one: wait, as an operator must.
      await strictAgreement([seed], nodes + fresh.length);
      await run('redis-cli', ['--cluster', 'rebalance', formatAddress(seed), '--cluster-use-empty-masters'], { maxBuffer: 64 * 2 ** 20 });
    }
    const agreed = await strictAgreement([seed], nodes + fresh.length);
    result.add[tool].push(agreed - started);
    console.log(`  add ${result.added} + rebalance ${KEYS} keys, ${tool}: ${agreed - started} ms`);
  } finally {
    await local.stop();
  }
}

const results: SizeResult[] = [];
for (const nodes of SIZES) {
  const result: SizeResult = { nodes, create: empty(), createReturned: [], check: empty(), add: empty(), added: nodes <= 6 ? 2 : nodes <= 30 ? 5 : 10, rssMb: 0 };
  console.log(`=== ${nodes} nodes`);
  for (let i = 0; i < RUNS; i++) for (const tool of i % 2 === 0 ? TOOLS : [...TOOLS].reverse()) await createOnce(tool, nodes, result);
  const local = await LocalCluster.start({ masters: nodes / 2, replicasPerMaster: 1, nodeTimeoutMs: NODE_TIMEOUT_MS });
  try {
    await checkRuns(local, result);
  } finally {
    await local.stop();
  }
  for (let i = 0; i < RUNS; i++) for (const tool of i % 2 === 0 ? TOOLS : [...TOOLS].reverse()) await addOnce(tool, nodes, result);
  results.push(result);
}

const fmt = (values: readonly number[]): string => values.map((v) => Math.round(v)).join(', ');
const ratio = (r: Record<Tool, number[]>): number => median(r.ours) / median(r['redis-cli']);
const verdict = (met: boolean): string => (met ? 'met' : '**not met**');
const rows = results.map((r) => {
  const create = ratio(r.create);
  const check = ratio(r.check);
  const add = ratio(r.add);
  return (
    `| ${r.nodes} | ${fmt(r.create.ours)} (returned ${fmt(r.createReturned)}) / ${fmt(r.create['redis-cli'])} | ${create.toFixed(3)} ${verdict(create <= 1 / 3)} ` +
    `| ${median(r.check.ours).toFixed(0)} / ${median(r.check['redis-cli']).toFixed(0)} | ${check.toFixed(2)} ${verdict(check <= 1)} ` +
    `| ${r.added}: ${fmt(r.add.ours)} / ${fmt(r.add['redis-cli'])} | ${(1 / add).toFixed(1)}x faster${r.nodes >= 100 ? ` ${verdict(1 / add >= 10)}` : ''} | ${r.rssMb} |`
  );
});
for (const row of rows) console.log(row);

const points = (pick: (r: SizeResult) => Record<Tool, number[]>, label: string): ChartPoint[] =>
  results.flatMap((r) => TOOLS.map((tool) => ({ x: r.nodes, y: median(pick(r)[tool]), series: `${label} ${tool === 'ours' ? 'redis-cluster-ops' : 'redis-cli'}` })));
const chart = await writeLineChart({
  name: 'scale',
  title: 'Time per operation against cluster size (median, ms)',
  xTitle: 'nodes (masters x 1 replica)',
  yTitle: 'ms (log scale)',
  logY: true,
  marks: true,
  points: [...points((r) => r.create, 'create'), ...points((r) => r.check, 'check'), ...points((r) => r.add, 'add + rebalance')],
});

writeBenchSection(
  'scale',
  `## Cost growth with cluster size

Command: \`npx tsx bench/scale.ts ${SIZES.join(',')} ${RUNS}\` — ${await machineLine()}

Fresh redis-server processes with cluster-node-timeout ${NODE_TIMEOUT_MS}; tools alternate, ${RUNS} run(s) each per size
(check: ${CHECK_RUNS} each). Times are until **strict agreement**: every node lists the same members, none in handshake
or flagged fail/fail?, the same roles and slot owners, and cluster_state:ok. "returned" is when our call returned
(create() itself waits for the same strict agreement before it returns). Add: that many empty masters joined one
by one, then a rebalance of ${KEYS} keys onto them (\`--cluster-use-empty-masters\`). RSS: the benchmark process,
SDK included, after the check runs.

| nodes | create ours / redis-cli (ms) | ratio (goal <= 0.333) | check ours / redis-cli (ms, median) | ratio (goal <= 1) | add masters + rebalance ours / redis-cli (ms) | speed-up (goal >= 10x at 100) | RSS (MiB) |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}

${chart}`,
);
