import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { NodeAddress } from '../../src/index';

export interface ClientFigures {
  p50: number;
  p99: number;
  max: number;
  ops: number;
  failed: number;
}

/** A client-load-process.ts child: reset() before a measured span, report() after it, stop() at the end. */
export interface ClientLoad {
  reset(): Promise<void>;
  report(): Promise<ClientFigures>;
  stop(): Promise<void>;
}

/** Starts a client load in its own process (`closed` or `fixed:<ops/s>`); resolves once it runs. */
export async function startClientLoad(seeds: readonly NodeAddress[], prefix: string, mode: string): Promise<ClientLoad> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/lib/client-load-process.ts', JSON.stringify(seeds), prefix, mode], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const next = (): Promise<string> => new Promise((resolve) => waiting.push(resolve));
  const ask = async (command: string): Promise<string> => {
    const answer = next();
    child.stdin.write(`${command}\n`);
    return answer;
  };
  if ((await next()) !== 'started') throw new Error('the client load did not start');
  return {
    reset: async () => void (await ask('reset')),
    report: async () => JSON.parse(await ask('report')) as ClientFigures,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.write('stop\n');
      child.stdin.end();
      await exited;
    },
  };
}
