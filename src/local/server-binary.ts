import { execFileSync } from 'node:child_process';
import { accessSync, constants, readFileSync, realpathSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { ClusterOpsError } from '../errors';
import { capabilitiesOf, parseServerVersionLine, type ServerCapabilities } from '../net/capabilities';

/** A redis-server / valkey-server binary, as LocalCluster needs to know it before starting it. */
export interface ServerBinary {
  /** The path or command name as given. */
  path: string;
  /** What `--version` says it is, and what that version supports (which directives to write). */
  capabilities: ServerCapabilities;
  /** True when the binary links OpenSSL (built with BUILD_TLS=yes): only then do tls-* directives work. */
  tlsBuilt: boolean;
}

const cache = new Map<string, ServerBinary>();

/** Runs `<binary> --version` once per path and reads what it is. Throws ERR_REDIS_START when it cannot run. */
export function inspectServerBinary(path: string): ServerBinary {
  const cached = cache.get(path);
  if (cached !== undefined) return cached;
  let output: string;
  try {
    output = execFileSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    throw new ClusterOpsError(
      'ERR_REDIS_START',
      `Could not run ${path} --version: ${(error as Error).message.split('\n')[0]}. Install redis-server (apt-get install -y redis-server) or pass redisServer: the path of a redis-server or valkey-server binary.`,
      { details: { redisServer: path } },
    );
  }
  const server = parseServerVersionLine(output);
  if (server === undefined) {
    throw new ClusterOpsError('ERR_REDIS_START', `${path} --version did not print a Redis or Valkey server version (got "${output.trim().slice(0, 80)}"). Pass redisServer: a redis-server or valkey-server binary.`, {
      details: { redisServer: path },
    });
  }
  const binary: ServerBinary = { path, capabilities: capabilitiesOf(server), tlsBuilt: linksOpenSsl(path) };
  cache.set(path, binary);
  return binary;
}

/** OpenSSL's symbol names appear in a binary that links it (dynamically or statically). */
function linksOpenSsl(path: string): boolean {
  const file = resolveExecutable(path);
  if (file === undefined) return false;
  try {
    return readFileSync(file).includes('SSL_CTX_new');
  } catch {
    return false;
  }
}

function resolveExecutable(command: string): string | undefined {
  const candidates = isAbsolute(command) || command.includes('/') ? [command] : (process.env['PATH'] ?? '').split(delimiter).map((dir) => join(dir, command));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return realpathSync(candidate);
    } catch {
      // not here
    }
  }
  return undefined;
}
