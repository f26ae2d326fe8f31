import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { NodeAddress } from '../../src/index';

export interface LoadFigures {
  p50: number;
  p99: number;
  failed: number;
  ops: number;
}

/** Starts load-process.ts in a child process; resolves once its load runs. stop() ends it and returns its figures. */
export async function startLoadProcess(seeds: readonly NodeAddress[], prefix: string): Promise<{ stop: () => Promise<LoadFigures> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/lib/load-process.ts', JSON.stringify(seeds), prefix], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const next = (): Promise<string> =>
    new Promise((resolve, reject) => {
      lines.once('line', resolve);
      child.once('exit', (code) => reject(new Error(`the load process exited (${code}) before it answered`)));
    });
  if ((await next()) !== 'started') throw new Error('the load process did not start');
  return {
    stop: async () => {
      const answer = next();
      child.stdin.write('stop\n');
      const figures = JSON.parse(await answer) as LoadFigures;
      child.stdin.end();
      return figures;
    },
  };
}
