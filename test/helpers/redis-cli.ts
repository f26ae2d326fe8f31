import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { NodeAddress } from '../../src/index';

const run = promisify(execFile);

/** Runs `redis-cli --cluster check HOST:PORT` (the independent oracle). */
export async function redisCliCheck(seed: NodeAddress, password?: string, tls?: { caFile: string; certFile: string; keyFile: string }): Promise<{ ok: boolean; output: string }> {
  const args = ['--cluster', 'check', `${seed.host}:${seed.port}`];
  if (password !== undefined) args.unshift('--no-auth-warning', '-a', password);
  if (tls !== undefined) args.unshift('--tls', '--cacert', tls.caFile, '--cert', tls.certFile, '--key', tls.keyFile);
  try {
    const { stdout, stderr } = await run('redis-cli', args, { timeout: 30_000 });
    const output = stripAnsi(stdout + stderr);
    return { ok: !/\[ERR\]/.test(output) && output.includes('[OK] All 16384 slots covered'), output };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    return { ok: false, output: stripAnsi(`${failed.stdout ?? ''}${failed.stderr ?? ''}`) };
  }
}

export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}
