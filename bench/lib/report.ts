import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const REPORT = join(import.meta.dirname, '..', '..', 'docs', 'benchmarks.md');

/**
 * Replaces (or appends) one benchmark's section in docs/benchmarks.md, between
 * `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`, so each bench owns its part of the page.
 */
export function writeBenchSection(name: string, markdown: string): void {
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const current = existsSync(REPORT) ? readFileSync(REPORT, 'utf8') : '# Benchmarks\n\nEvery figure below was produced by the command shown with it, on the machine described there, running our SDK and `redis-cli --cluster` on the same data in one run.\n';
  const pattern = new RegExp(`${escape(start)}[\\s\\S]*?${escape(end)}`);
  const next = pattern.test(current) ? current.replace(pattern, block) : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(REPORT, next);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** A line about the machine for the report. */
export async function machineLine(): Promise<string> {
  const os = await import('node:os');
  const { execFileSync } = await import('node:child_process');
  const redis = execFileSync('redis-server', ['--version']).toString().split(' ')[2] ?? '?';
  return `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, Redis ${redis.replace('v=', '')}, ${new Date().toISOString().slice(0, 10)}`;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
