/**
 * A client load in its own process, so the tool being measured shares no event loop with it:
 * `node --import tsx bench/lib/client-load-process.ts '<seeds json>' <prefix> <mode>` where mode is
 * - `closed`: SET+GET on 5000 keys, 8 in flight, each pair's latency from its send;
 * - `fixed:<ops/s>`: one SET or GET every 1/rate s on a fixed schedule, never waiting for replies, each
 *   latency counted from the command's *intended* send time (a stalled client does not hide its backlog).
 * stdin commands, one per line: `reset` (drop samples so far), `report` (print one JSON line
 * { p50, p99, max, ops, failed } of the samples since the last reset), `stop` (exit).
 */
import { createInterface } from 'node:readline';
import { Cluster } from 'ioredis';
import { percentile } from './report';

const [seedsJson, prefix, mode] = process.argv.slice(2) as [string, string, string];
const client = new Cluster(JSON.parse(seedsJson) as { host: string; port: number }[], { maxRedirections: 64 });
await new Promise((resolve) => client.once('ready', resolve));

let samples: number[] = [];
let failed = 0;
let running = true;
const KEYS = 5000;

async function closedLoop(): Promise<void> {
  let counter = 0;
  const worker = async (): Promise<void> => {
    while (running) {
      const n = counter++;
      const key = `${prefix}:${n % KEYS}`;
      const started = performance.now();
      try {
        await client.set(key, `v${n}`);
        await client.get(key);
      } catch {
        failed++;
      }
      samples.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

async function fixedRate(rate: number): Promise<void> {
  const interval = 1000 / rate;
  let next = performance.now();
  let n = 0;
  while (running) {
    const now = performance.now();
    while (next <= now) {
      const intended = next;
      const key = `${prefix}:${n % KEYS}`;
      const command = n % 2 === 0 ? client.set(key, `v${n}`) : client.get(key);
      n++;
      const epoch = samples;
      command.then(
        () => epoch === samples && samples.push(performance.now() - intended),
        () => {
          failed++;
          if (epoch === samples) samples.push(performance.now() - intended);
        },
      );
      next += interval;
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

const load = mode === 'closed' ? closedLoop() : fixedRate(Number(mode.split(':')[1] ?? 1000));
process.stdout.write('started\n');
const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line === 'reset') {
    samples = [];
    failed = 0;
    process.stdout.write('ok\n');
  } else if (line === 'report') {
    const figures = { p50: percentile(samples, 50), p99: percentile(samples, 99), max: Math.max(0, ...samples), ops: samples.length, failed };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } else if (line === 'stop') {
    break;
  }
}
running = false;
await load;
client.disconnect();
