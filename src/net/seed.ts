import { InvalidArgumentError, UnknownOptionError } from '../errors';
import { parseAddress, validateAddress, type NodeAddress } from '../model/address';
import type { ConnectionOptions } from './connection-options';

/**
 * Where to connect, in any of the forms users have at hand: `{ host, port }`, `'host:port'`
 * (`'[::1]:6381'` for IPv6), or a `redis://` / `rediss://` URL. A `rediss://` URL turns TLS on;
 * a URL's user and password become the connection's `username` and `password`.
 */
export type Seed = NodeAddress | string;

/** What a seed says beyond its address: credentials and TLS from a URL. */
export interface SeedConnection {
  username?: string;
  password?: string;
  tls?: boolean;
}

/** Parses one seed. Errors name the argument and never echo a password. */
export function parseSeed(seed: Seed, argument = 'seed'): { address: NodeAddress; connection: SeedConnection } {
  if (typeof seed !== 'string') return { address: validateAddress(seed, argument), connection: {} };
  if (!/^rediss?:\/\//i.test(seed)) return { address: parseAddress(seed, argument), connection: {} };
  let url: URL;
  try {
    url = new URL(seed);
  } catch {
    throw new InvalidArgumentError(argument, hidePassword(seed), 'not a valid redis:// URL', 'Write it as redis://[user:password@]host:port or rediss://... for TLS.');
  }
  if (url.port === '') throw new InvalidArgumentError(argument, hidePassword(seed), 'a URL without a port', 'Add the node port, e.g. redis://10.0.0.1:6381.');
  if (url.pathname !== '' && url.pathname !== '/' && url.pathname !== '/0') {
    throw new InvalidArgumentError(argument, hidePassword(seed), 'a URL naming a database', 'Cluster nodes only have database 0: drop the path.');
  }
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const connection: SeedConnection = {};
  if (url.username !== '') connection.username = decodeURIComponent(url.username);
  if (url.password !== '') connection.password = decodeURIComponent(url.password);
  if (url.protocol.toLowerCase() === 'rediss:') connection.tls = true;
  // redis://:password@host:port means requirepass without a user (as ioredis and redis-cli read it).
  if (connection.username !== undefined && connection.password === undefined) {
    connection.password = connection.username;
    delete connection.username;
  }
  return { address: validateAddress({ host, port: Number(url.port) }, argument), connection };
}

/**
 * Parses a list of seeds and merges what their URLs say into the connection options: explicit
 * options win; seeds that disagree (two passwords, TLS on one only) are refused.
 */
export function resolveSeeds<T extends ConnectionOptions>(seeds: readonly Seed[], options: T, argument = 'seeds'): { seeds: NodeAddress[]; options: T } {
  const parsed = seeds.map((seed, index) => parseSeed(seed, `${argument}[${index}]`));
  const merged: T = { ...options };
  for (const field of ['username', 'password', 'tls'] as const) {
    const values = new Set(parsed.map((entry) => entry.connection[field]).filter((value) => value !== undefined));
    if (values.size > 1) {
      throw new InvalidArgumentError(argument, field === 'password' ? '(hidden)' : [...values].join(', '), `seed URLs disagree on ${field}`, `Give every seed the same ${field}, or pass ${field} as an option.`);
    }
    const [value] = values;
    if (value === undefined || options[field] !== undefined) continue;
    if (field === 'tls') merged.tls = {};
    else merged[field] = value as string;
  }
  return { seeds: parsed.map((entry) => entry.address), options: merged };
}

/** Well-known ioredis options, and what to pass to this SDK instead. */
const IOREDIS_HINTS: Record<string, string> = {
  connectTimeout: 'Use connectTimeoutMs.',
  commandTimeout: 'Use commandTimeoutMs.',
  redisOptions: 'Pass password, username, tls and natMap at the top level.',
  maxRetriesPerRequest: 'The SDK retries at its own edges; commands are not retried blindly.',
  retryStrategy: 'The SDK retries at its own edges; commands are not retried blindly.',
  clusterRetryStrategy: 'The SDK retries at its own edges; commands are not retried blindly.',
  host: 'Pass the address as a seed: { host, port }, "host:port" or a redis:// URL.',
  port: 'Pass the address as a seed: { host, port }, "host:port" or a redis:// URL.',
  db: 'Cluster nodes only have database 0.',
  scaleReads: 'Use replicaReadCluster(topology, { scaleReads }) for reads from replicas.',
};

/**
 * Refuses names an options object should not hold (typos, ioredis options), instead of ignoring
 * them. `known` lists the accepted names; `where` prefixes the option path in the error.
 */
export function assertKnownOptions(options: object, known: readonly string[], where = ''): void {
  for (const name of Object.keys(options)) {
    if (known.includes(name)) continue;
    throw new UnknownOptionError(`${where}${name}`, known, IOREDIS_HINTS[name] ?? '');
  }
}

/** The option names of ConnectionOptions, as keys: `satisfies` makes the compiler demand every one. */
export const CONNECTION_OPTION_KEYS = {
  password: true,
  username: true,
  tls: true,
  natMap: true,
  connectTimeoutMs: true,
  commandTimeoutMs: true,
} as const satisfies Record<keyof ConnectionOptions, true>;

export const CONNECTION_OPTION_NAMES = Object.keys(CONNECTION_OPTION_KEYS) as readonly (keyof ConnectionOptions)[];

function hidePassword(text: string): string {
  return text.replace(/\/\/([^@/]*)@/, (_, user: string) => `//${user.includes(':') ? `${user.slice(0, user.indexOf(':'))}:***` : '***'}@`);
}
