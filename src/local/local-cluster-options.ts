import { InvalidArgumentError } from '../errors';

export interface LocalClusterOptions {
  /**
   * Masters to create.
   * @defaultValue 3
   */
  masters?: number;
  /**
   * Replicas per master.
   * @defaultValue 1
   */
  replicasPerMaster?: number;
  /**
   * Loopback address(es) to bind. Several addresses play several hosts (nodes go round-robin),
   * e.g. ['127.0.0.1', '127.0.0.2', '127.0.0.3'] for anti-affinity drills.
   * @defaultValue '127.0.0.1'
   */
  host?: string | string[];
  /** First port; nodes take consecutive ports. @defaultValue free random ports */
  basePort?: number;
  /** Parent of the temporary directory. @defaultValue os.tmpdir() */
  dir?: string;
  /**
   * The server binary: any redis-server from 5.0 on, or valkey-server. LocalCluster asks it its
   * version (`--version`) and writes only the directives that version knows, in its own names.
   * @defaultValue 'redis-server'
   */
  redisServer?: string;
  /**
   * A TLS-only cluster: certificates are generated for the run (a CA and a node certificate for the
   * loopback addresses, with the openssl CLI, in the cluster's directory); every node listens on
   * `tls-port` only (`port 0`) with TLS on the cluster bus and for replication. `local.tls` holds the
   * client options (`{ ca, cert, key }`); `topology()` and `client()` use them. Needs a server built
   * with TLS (Redis 6.0+, BUILD_TLS=yes; Debian's is).
   * @defaultValue false
   */
  tls?: boolean;
  /** Extra redis.conf directives for every node, e.g. { appendonly: 'yes' }. */
  config?: Record<string, string | number>;
  /**
   * cluster-node-timeout in ms: how fast failures are detected. Low for quick drills.
   * @defaultValue 5000
   */
  nodeTimeoutMs?: number;
  /**
   * Create the cluster; false leaves standalone cluster-enabled nodes (for create/add-node tests).
   * @defaultValue true
   */
  create?: boolean;
  /** requirepass and masterauth for every node. Never logged. */
  password?: string;
  /**
   * Keep the directory after stop() (for post-mortems).
   * @defaultValue false
   */
  keepDir?: boolean;
}

export const DEFAULT_LOCAL_CLUSTER_OPTIONS = Object.freeze({
  masters: 3,
  replicasPerMaster: 1,
  redisServer: 'redis-server',
  nodeTimeoutMs: 5000,
  create: true,
  keepDir: false,
  tls: false,
  config: {} as Record<string, string | number>,
} as const);

export interface ResolvedLocalClusterOptions extends Omit<LocalClusterOptions, 'host'> {
  masters: number;
  replicasPerMaster: number;
  hosts: string[];
  redisServer: string;
  nodeTimeoutMs: number;
  create: boolean;
  keepDir: boolean;
  tls: boolean;
  config: Record<string, string | number>;
}

/** LocalCluster binds loopback addresses only: 127.x.y.z, ::1 or localhost. */
export function isLoopbackHost(host: unknown): boolean {
  return typeof host === 'string' && /^127\.\d+\.\d+\.\d+$|^::1$|^localhost$/.test(host);
}

/** Options of LocalCluster.fromConfigFiles. */
export interface ConfigFilesClusterOptions {
  /**
   * Replicas per master. create() chooses which nodes are masters, keeping each master and its
   * replicas on different hosts (bind addresses) where it can.
   * @defaultValue 1
   */
  replicasPerMaster?: number;
  /** Create the cluster over the started nodes. @defaultValue true */
  create?: boolean;
  /** The redis-server binary. @defaultValue 'redis-server' */
  redisServer?: string;
  /** The nodes' password. @defaultValue the files' requirepass */
  password?: string;
}

export function resolveLocalClusterOptions(options: LocalClusterOptions): ResolvedLocalClusterOptions {
  const { host, ...rest } = options;
  const resolved: ResolvedLocalClusterOptions = {
    ...DEFAULT_LOCAL_CLUSTER_OPTIONS,
    ...rest,
    hosts: host === undefined ? ['127.0.0.1'] : Array.isArray(host) ? [...host] : [host],
    config: { ...(options.config ?? {}) },
  };
  const wholeAtLeast = (name: 'masters' | 'replicasPerMaster' | 'nodeTimeoutMs', min: number, fix: string): void => {
    const value = resolved[name];
    if (!Number.isInteger(value) || value < min) throw new InvalidArgumentError(name, value, `not a whole number >= ${min}`, fix);
  };
  if (resolved.create) wholeAtLeast('masters', 3, 'A cluster needs at least 3 masters; pass create: false for standalone nodes.');
  else wholeAtLeast('masters', 0, 'Pass the number of standalone nodes as masters.');
  wholeAtLeast('replicasPerMaster', 0, 'Pass 0 or more.');
  wholeAtLeast('nodeTimeoutMs', 100, 'Pass cluster-node-timeout in ms, e.g. 2000.');
  if (typeof resolved.tls !== 'boolean') {
    throw new InvalidArgumentError('tls', resolved.tls, 'not true or false', 'Pass tls: true for a TLS-only cluster with certificates generated for the run (local.tls then holds the client options).');
  }
  if (resolved.hosts.length === 0 || !resolved.hosts.every(isLoopbackHost)) {
    throw new InvalidArgumentError('host', options.host, 'LocalCluster binds loopback addresses only', 'Pass 127.x.y.z addresses, e.g. ["127.0.0.1", "127.0.0.2"].');
  }
  if (resolved.basePort !== undefined && (!Number.isInteger(resolved.basePort) || resolved.basePort < 1024 || resolved.basePort > 55_000)) {
    throw new InvalidArgumentError('basePort', resolved.basePort, 'not a port from 1024 to 55000', 'The cluster bus uses port + 10000, so stay at or below 55000.');
  }
  for (const [name, value] of Object.entries(resolved.config)) {
    if (/[\r\n\0]/.test(`${name} ${value}`)) {
      throw new InvalidArgumentError(`config.${name}`, '(value with a line break)', 'a directive may not contain line breaks', 'Pass one value per directive.');
    }
  }
  return resolved;
}
