/**
 * A client load in its own process, so the tool being measured does not share its event loop:
 * `node --import tsx bench/lib/load-process.ts '<seeds json>' <prefix>` runs SET+GET (8 in flight)
 * until a line arrives on stdin, then prints one JSON line: { p50, p99, failed, ops }.
 */
import { createInterface } from 'node:readline';
import { Cluster } from 'ioredis';
import { startLoad } from '../../test/helpers/write-load';
import { percentile } from './report';

const [seedsJson, prefix] = process.argv.slice(2) as [string, string];
const client = new Cluster(JSON.parse(seedsJson) as { host: string; port: number }[]);
await new Promise((resolve) => client.once('ready', resolve));
const load = startLoad(client, { keys: 5000, prefix, concurrency: 8 });
process.stdout.write('started\n');
const lines = createInterface({ input: process.stdin });
await new Promise((resolve) => lines.once('line', resolve));
const result = await load.stop();
lines.close();
process.stdout.write(`${JSON.stringify({ p50: percentile(result.latenciesMs, 50), p99: percentile(result.latenciesMs, 99), failed: result.failures.length, ops: result.latenciesMs.length })}\n`);
client.disconnect();
