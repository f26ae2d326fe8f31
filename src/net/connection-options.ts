import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { InvalidArgumentError } from '../errors';

/** Maps an announced `host:port` to the address this process must dial instead (NAT, Docker, port-forward). */
export type NatMap = Record<string, { host: string; port: number }> | ((announced: string) => { host: string; port: number } | null | undefined);

/** How the SDK connects to each node. One connection per node, reused. */
export interface ConnectionOptions {
  /** Password (`requirepass`, or the ACL user's password when `username` is set). Never logged. */
  password?: string;
  /** ACL user name (Redis 6+). */
  username?: string;
  /** TLS options passed to ioredis (and node:tls); `{}` enables TLS with defaults. */
  tls?: TlsConnectionOptions;
  /** Maps announced addresses to dialable ones. */
  natMap?: NatMap;
  /**
   * Milliseconds to establish a connection.
   * @defaultValue 3000
   */
  connectTimeoutMs?: number;
  /**
   * Milliseconds a single admin command may take before it fails (MIGRATE sets its own).
   * @defaultValue 10000
   */
  commandTimeoutMs?: number;
}

export const DEFAULT_CONNECTION_OPTIONS = Object.freeze({
  connectTimeoutMs: 3000,
  commandTimeoutMs: 10_000,
} as const satisfies Partial<ConnectionOptions>);

export type ResolvedConnectionOptions = ConnectionOptions & { connectTimeoutMs: number; commandTimeoutMs: number };

/** Copies, fills defaults, validates. Never mutates the input. */
export function resolveConnectionOptions(options: ConnectionOptions = {}): ResolvedConnectionOptions {
  const resolved = {
    ...options,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECTION_OPTIONS.connectTimeoutMs,
    commandTimeoutMs: options.commandTimeoutMs ?? DEFAULT_CONNECTION_OPTIONS.commandTimeoutMs,
  };
  for (const name of ['connectTimeoutMs', 'commandTimeoutMs'] as const) {
    const value = resolved[name];
    if (!Number.isFinite(value) || value <= 0) {
      throw new InvalidArgumentError(name, value, 'not a positive number of milliseconds', `Pass e.g. ${name}: 5000.`);
    }
  }
  if (resolved.password !== undefined && typeof resolved.password !== 'string') {
    throw new InvalidArgumentError('password', '(hidden)', 'not a string', 'Pass the password as a string.');
  }
  if (resolved.username !== undefined && (typeof resolved.username !== 'string' || resolved.username.length === 0)) {
    throw new InvalidArgumentError('username', resolved.username, 'not a non-empty string', 'Pass the ACL user name, or leave username out for requirepass.');
  }
  if (resolved.username !== undefined && resolved.password === undefined) {
    throw new InvalidArgumentError('username', resolved.username, 'given without a password', 'Pass the ACL user\'s password too.');
  }
  return resolved;
}

/** Where to dial for an announced address, after natMap. */
export function dialAddress(natMap: NatMap | undefined, host: string, port: number): { host: string; port: number } {
  if (natMap === undefined) return { host, port };
  const key = `${host}:${port}`;
  const mapped = typeof natMap === 'function' ? natMap(key) : natMap[key];
  return mapped ?? { host, port };
}
