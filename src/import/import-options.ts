import { InvalidArgumentError } from '../errors';
import { stripUndefined } from '../util/frozen';
import type { NodeAddress } from '../model/address';
import { resolveConnectionOptions, type ConnectionOptions, type ResolvedConnectionOptions } from '../net/connection-options';
import { assertKnownOptions, CONNECTION_OPTION_NAMES, resolveSeeds, type Seed } from '../net/seed';
import type { TopologyContext } from '../topology/topology-context';

/** Where an import stands: each source node's SCAN cursor, and the nodes finished. Serializable. */
export interface ImportCursor {
  nodes: Record<string, string>;
  done: string[];
}

/**
 * The source: its address and the same connection options as ClusterTopology (password,
 * username, tls, natMap, timeouts), or a seed string (`'host:port'`, `redis://` / `rediss://` URL).
 */
export interface ImportSource extends NodeAddress, ConnectionOptions {}

export interface ImportOptions {
  /** A standalone instance, or any node of a source cluster (every master is imported). */
  from: ImportSource | Exclude<Seed, NodeAddress>;
  /** The target cluster (a ClusterTopology). */
  into: TopologyContext;
  /**
   * Keep the keys on the source (redis-cli's --cluster-copy).
   * @defaultValue false
   */
  copy?: boolean;
  /**
   * Overwrite keys that exist in the target with other values (--cluster-replace); otherwise stop and name them.
   * @defaultValue false
   */
  replace?: boolean;
  /** SCAN MATCH pattern, e.g. 'user:*'. */
  match?: string;
  /**
   * Keys per SCAN call and at most per MIGRATE.
   * @defaultValue 1000
   */
  batchSize?: number;
  /**
   * MIGRATE calls in flight at once.
   * @defaultValue 8
   */
  concurrency?: number;
  /**
   * MIGRATE's timeout in ms.
   * @defaultValue 10000
   */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** A cursor from a progress event or an ImportFailedError: continue from there. */
  resumeFrom?: ImportCursor;
}

export const DEFAULT_IMPORT_OPTIONS = Object.freeze({ copy: false, replace: false, batchSize: 1000, concurrency: 8, timeoutMs: 10_000 } as const);

/** Every option name importData reads (the compiler demands a new entry for every new option). */
export const IMPORT_OPTION_NAMES = Object.keys({
  from: true,
  into: true,
  copy: true,
  replace: true,
  match: true,
  batchSize: true,
  concurrency: true,
  timeoutMs: true,
  signal: true,
  resumeFrom: true,
} satisfies Record<keyof ImportOptions, true>);

export type ResolvedImportOptions = Omit<ImportOptions, 'from'> & {
  /** The source's address. */
  from: NodeAddress;
  /** How to connect to the source (and to the other masters of a source cluster). */
  source: ResolvedConnectionOptions;
  copy: boolean;
  replace: boolean;
  batchSize: number;
  concurrency: number;
  timeoutMs: number;
};

export function resolveImportOptions(options: ImportOptions): ResolvedImportOptions {
  if (options === null || typeof options !== 'object') throw new InvalidArgumentError('options', options, 'not an options object', 'Pass { from, into }.');
  assertKnownOptions(options, IMPORT_OPTION_NAMES);
  const { from, source } = resolveSource(options.from);
  if (options.into === undefined || typeof options.into.refresh !== 'function') {
    throw new InvalidArgumentError('into', '(not a topology)', 'not a ClusterTopology', 'Pass into: new ClusterTopology({ seeds }) of the target cluster.');
  }
  const resolved = { ...DEFAULT_IMPORT_OPTIONS, ...stripUndefined(options), from, source } as ResolvedImportOptions;
  for (const name of ['batchSize', 'concurrency', 'timeoutMs'] as const) {
    if (!Number.isInteger(resolved[name]) || resolved[name] <= 0) throw new InvalidArgumentError(name, resolved[name], 'not a whole number > 0', `Pass e.g. ${name}: ${DEFAULT_IMPORT_OPTIONS[name]}.`);
  }
  if (resolved.match !== undefined && (typeof resolved.match !== 'string' || /[\r\n]/.test(resolved.match))) {
    throw new InvalidArgumentError('match', resolved.match, 'not a SCAN pattern', "Pass a glob like 'user:*'.");
  }
  return resolved;
}

function resolveSource(input: ImportOptions['from']): { from: NodeAddress; source: ResolvedConnectionOptions } {
  if (typeof input === 'string') {
    const { seeds, options } = resolveSeeds([input], {}, 'from');
    return { from: seeds[0] as NodeAddress, source: resolveConnectionOptions(options) };
  }
  if (input === null || typeof input !== 'object') throw new InvalidArgumentError('from', input, 'not a source', 'Pass { host, port, password? }, "host:port" or a redis:// URL.');
  assertKnownOptions(input, ['host', 'port', ...CONNECTION_OPTION_NAMES], 'from.');
  const { host, port, ...connection } = input;
  const { seeds, options } = resolveSeeds([{ host, port }], connection, 'from');
  return { from: seeds[0] as NodeAddress, source: resolveConnectionOptions(options) };
}
