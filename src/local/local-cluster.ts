import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Cluster, type ClusterOptions } from 'ioredis';
import { ClusterOpsError, InvalidArgumentError, UnknownNodeError } from '../errors';
import { formatAddress, type NodeAddress } from '../model/address';
import { assertNodeRef } from '../model/node-id';
import { NodePool } from '../net/node-pool';
import { ClusterTopology } from '../topology/cluster-topology';
import { findClusterPort } from './free-port';
import { readInstanceConfigs, type InstanceConfig } from './instance-config';
import { resolveLocalClusterOptions, type ConfigFilesClusterOptions, type LocalClusterOptions, type ResolvedLocalClusterOptions } from './local-cluster-options';
import { trackDir, untrackDir } from './process-registry';
import { RedisProcess } from './redis-process';
import { inspectServerBinary, type ServerBinary } from './server-binary';
import { generateTlsFiles, type LocalTlsFiles } from './tls-certificates';
import { UnsupportedByServerError } from '../net/errors';
import { describeServer } from '../net/capabilities';

/** A node LocalCluster started. */
export interface LocalNode {
  host: string;
  port: number;
  /** `host:port` */
  address: string;
  /** The process id while it runs. */
  pid: number | undefined;
  dir: string;
  logFile: string;
  configFile: string;
}

export interface StartNodeOptions {
  /** Loopback address to bind (e.g. 127.0.0.2 to play another host). @defaultValue the cluster's first host */
  host?: string;
  /** Extra redis.conf directives for this node. */
  config?: Record<string, string | number>;
  /** Another server binary for this node (a mixed-version cluster, a rolling upgrade). @defaultValue the cluster's */
  redisServer?: string;
}

/**
 * Real redis-server processes on loopback, in a temporary directory: the embedded default for
 * demos, examples and tests. Every process is stopped and the directory removed by stop(), and
 * also when this Node process exits.
 */
export class LocalCluster {
  readonly options: ResolvedLocalClusterOptions;
  /** The temporary directory holding every node's config, data and log. */
  readonly dir: string;
  /**
   * With `tls: true`: the generated certificates, as files (for redis-cli: --tls --cacert --cert --key)
   * and as PEM text (`{ ca, cert, key }` is what ClusterTopology's and ioredis's `tls` option take).
   */
  readonly tls: LocalTlsFiles | undefined;
  private readonly processes: RedisProcess[] = [];
  private readonly pool: NodePool;
  private stopped = false;

  private constructor(options: ResolvedLocalClusterOptions, dir: string, tls?: LocalTlsFiles) {
    this.options = options;
    this.dir = dir;
    this.tls = tls;
    this.pool = new NodePool({ ...(options.password === undefined ? {} : { password: options.password }), ...(tls === undefined ? {} : { tls: clientTls(tls) }) });
  }

  /**
   * Starts `masters x (1 + replicasPerMaster)` nodes on free loopback ports and (unless
   * `create: false`) creates the cluster with ClusterTopology. Resolves once every node reports
   * cluster_state:ok and all agree.
   */
  static async start(options: LocalClusterOptions = {}): Promise<LocalCluster> {
    const resolved = resolveLocalClusterOptions(options);
    const binary = inspectServerBinary(resolved.redisServer);
    if (resolved.tls) refuseWithoutTls(binary);
    const dir = mkdtempSync(join(resolved.dir ?? tmpdir(), 'redis-cluster-ops-'));
    trackDir(dir);
    let local: LocalCluster | undefined;
    try {
      const tls = resolved.tls ? generateTlsFiles(join(dir, 'tls'), tlsAddresses(resolved.hosts)) : undefined;
      local = new LocalCluster(resolved, dir, tls);
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      untrackDir(dir);
      throw error;
    }
    try {
      const count = resolved.masters * (1 + resolved.replicasPerMaster);
      const hosts = resolved.hosts;
      await Promise.all(
        Array.from({ length: count }, (_, index) => local.startProcess({ host: hosts[index % hosts.length] as string }, resolved.basePort === undefined ? undefined : resolved.basePort + index)),
      );
      if (resolved.create) await local.createCluster();
      return local;
    } catch (error) {
      await local.stop();
      throw error;
    }
  }

  /**
   * Starts redis-server from config files written elsewhere (e.g. the redis-PORT.conf files
   * ConfigRenderer renders, each including the common redis.conf) and creates the cluster over
   * them. Every file is read and checked before any process starts. The files and the data stay
   * where they are: stop() stops the processes and removes nothing.
   */
  static async fromConfigFiles(configFiles: readonly string[], options: ConfigFilesClusterOptions = {}): Promise<LocalCluster> {
    if (options !== null && typeof options === 'object' && 'tls' in options) {
      throw new InvalidArgumentError('tls', (options as { tls: unknown }).tls, 'fromConfigFiles runs the files as they are and takes no tls option', 'Put tls-port and the tls-* files in the config files, or use LocalCluster.start({ tls: true }).');
    }
    const replicasPerMaster = options.replicasPerMaster ?? 1;
    const create = options.create ?? true;
    const instances = readInstanceConfigs(configFiles, create ? replicasPerMaster : undefined);
    const masters = instances.length / (1 + replicasPerMaster);
    const password = options.password ?? instances[0]?.password;
    const resolved = resolveLocalClusterOptions({
      masters: create ? masters : instances.length,
      replicasPerMaster: create ? replicasPerMaster : 0,
      host: [...new Set(instances.map((i) => i.host))],
      create,
      keepDir: true,
      ...(options.redisServer === undefined ? {} : { redisServer: options.redisServer }),
      ...(password === undefined ? {} : { password }),
    });
    const local = new LocalCluster(resolved, dirname(instances[0]!.configFile));
    try {
      await Promise.all(instances.map((instance) => local.startFromFile(instance)));
      if (create) await local.createCluster();
      return local;
    } catch (error) {
      await local.stop();
      throw error;
    }
  }

  private async createCluster(): Promise<void> {
    const topology = this.topology();
    try {
      await topology.create(this.seeds, { replicasPerMaster: this.options.replicasPerMaster });
    } finally {
      await topology.close();
    }
  }

  private async startFromFile(instance: InstanceConfig): Promise<void> {
    const { configFile, host, port, dir, logFile, clusterConfigFile } = instance;
    inspectServerBinary(this.options.redisServer);
    const process = new RedisProcess({ configFile, host, port, dir, logFile, clusterConfigFile, redisServer: this.options.redisServer, config: {} });
    this.processes.push(process);
    await process.start();
  }

  /** Every node's address, in start order. */
  get seeds(): NodeAddress[] {
    return this.processes.map((p) => ({ host: p.host, port: p.port }));
  }

  get nodes(): LocalNode[] {
    return this.processes.map((p) => ({
      host: p.host,
      port: p.port,
      address: formatAddress(p),
      pid: p.pid,
      dir: p.dir,
      logFile: p.logFile,
      configFile: p.configFile,
    }));
  }

  /** A new ClusterTopology over this cluster (the caller closes it). */
  topology(options: { convergenceTimeoutMs?: number } = {}): ClusterTopology {
    return new ClusterTopology({
      seeds: this.seeds,
      ...(this.options.password === undefined ? {} : { password: this.options.password }),
      ...(this.tls === undefined ? {} : { tls: clientTls(this.tls) }),
      ...options,
    });
  }

  /** An ioredis Cluster client over this cluster (the caller quits it). */
  client(options: ClusterOptions = {}): Cluster {
    return new Cluster(this.seeds, {
      ...options,
      redisOptions: {
        ...(this.options.password === undefined ? {} : { password: this.options.password }),
        ...(this.tls === undefined ? {} : { tls: clientTls(this.tls) }),
        ...options.redisOptions,
      },
    });
  }

  /** Starts one more cluster-enabled node that belongs to no cluster yet (for addNode, create). */
  async startNode(options: StartNodeOptions = {}): Promise<NodeAddress> {
    const host = options.host ?? (this.options.hosts[0] as string);
    const started = await this.startProcess({
      host,
      ...(options.config === undefined ? {} : { config: options.config }),
      ...(options.redisServer === undefined ? {} : { redisServer: options.redisServer }),
    });
    return { host: started.host, port: started.port };
  }

  /** Kills a node's process (by node id or `host:port`); SIGKILL by default, as a crash would. */
  async killNode(idOrAddress: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<LocalNode> {
    const process = await this.processOf(idOrAddress);
    await process.kill(signal);
    return this.describe(process);
  }

  /** Starts a killed node again with the same config and data dir (its nodes.conf survives). */
  async restartNode(idOrAddress: string): Promise<LocalNode> {
    const process = await this.processOf(idOrAddress);
    await process.kill('SIGKILL');
    await this.pool.drop(formatAddress(process));
    await process.start();
    return this.describe(process);
  }

  /** Freezes a node (SIGSTOP) so the cluster sees it hang; thawNode() resumes it. */
  async freezeNode(idOrAddress: string): Promise<void> {
    (await this.processOf(idOrAddress)).pause();
  }

  async thawNode(idOrAddress: string): Promise<void> {
    (await this.processOf(idOrAddress)).resume();
  }

  /** The node id of an address (asks the node). */
  async nodeIdOf(address: string): Promise<string> {
    return this.pool.get(address).myId();
  }

  /** `await using local = await LocalCluster.start()` stops it at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  /** Stops every process and removes the directory. Safe to call twice. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.pool.close();
    await Promise.all(this.processes.map((p) => p.kill('SIGKILL')));
    if (!this.options.keepDir) {
      rmSync(this.dir, { recursive: true, force: true });
      untrackDir(this.dir);
    }
  }

  private async startProcess(spec: { host: string; config?: Record<string, string | number>; redisServer?: string }, fixedPort?: number): Promise<RedisProcess> {
    const taken = new Set(this.processes.map((p) => p.port));
    const binary = inspectServerBinary(spec.redisServer ?? this.options.redisServer);
    if (this.tls !== undefined) refuseWithoutTls(binary);
    for (let attempt = 0; ; attempt++) {
      const port = fixedPort ?? (await findClusterPort(spec.host, { exclude: taken }));
      const process = new RedisProcess({
        host: spec.host,
        port,
        dir: join(this.dir, `${spec.host}-${port}`),
        redisServer: binary.path,
        capabilities: binary.capabilities,
        ...(this.tls === undefined ? {} : { tls: this.tls }),
        config: {
          'cluster-node-timeout': this.options.nodeTimeoutMs,
          // Replicas sync at once instead of waiting 5 s for more replicas to share the transfer.
          'repl-diskless-sync-delay': 0,
          ...(this.options.password === undefined ? {} : { requirepass: this.options.password, masterauth: this.options.password }),
          ...this.options.config,
          ...spec.config,
        },
      });
      this.processes.push(process);
      try {
        await process.start();
        return process;
      } catch (error) {
        this.processes.splice(this.processes.indexOf(process), 1);
        await process.kill('SIGKILL');
        // Another process may have taken the port between our check and redis's bind: try another.
        const portClash = error instanceof ClusterOpsError && error.details['portInUse'] === true;
        if (!portClash || fixedPort !== undefined || attempt >= 5) throw error;
        taken.add(port);
      }
    }
  }

  private async processOf(idOrAddress: string): Promise<RedisProcess> {
    assertNodeRef(idOrAddress, 'node');
    const byAddress = this.processes.find((p) => formatAddress(p) === idOrAddress);
    if (byAddress !== undefined) return byAddress;
    // Every node writes its id to its nodes.conf (at start, and again on CLUSTER RESET HARD):
    // reading the files finds it without asking any process, so a frozen node costs nothing.
    const byConfig = this.processes.find((p) => p.nodeIdFromConfig() === idOrAddress);
    if (byConfig !== undefined) return byConfig;
    // Nodes started from config files elsewhere may keep it where we do not look: ask the
    // running ones, never a frozen one (it would not answer before the command timeout).
    for (const process of this.processes.filter((p) => p.running && !p.paused)) {
      const id = await this.pool
        .get(formatAddress(process))
        .myId()
        .catch(() => undefined);
      if (id === idOrAddress) return process;
    }
    throw new UnknownNodeError(idOrAddress, this.processes.map((p) => formatAddress(p)));
  }

  private describe(process: RedisProcess): LocalNode {
    return this.nodes.find((node) => node.address === formatAddress(process)) as LocalNode;
  }
}

/** What a client passes as `tls` to reach a TLS LocalCluster (its CA, and the node certificate as the client's). */
function clientTls(files: LocalTlsFiles): { ca: string; cert: string; key: string } {
  return { ca: files.ca, cert: files.cert, key: files.key };
}

/** Every loopback address a node may bind: the cluster's hosts and 127.0.0.1-9 (startNode can pick another). */
function tlsAddresses(hosts: readonly string[]): string[] {
  return [...hosts.filter((host) => /^[\d.]+$|:/.test(host)), ...Array.from({ length: 9 }, (_, i) => `127.0.0.${i + 1}`), '::1'];
}

function refuseWithoutTls(binary: ServerBinary): void {
  const server = binary.capabilities;
  if (!server.tls) {
    throw new UnsupportedByServerError(binary.path, 'TLS', server, '6.0', 'Pass redisServer: a Redis 6.0+ or Valkey server built with TLS (Debian\'s redis-server is), or leave tls out.');
  }
  if (!binary.tlsBuilt) {
    throw new UnsupportedByServerError(binary.path, 'TLS in this build', `${describeServer(server)} built without TLS`, '6.0', 'Pass redisServer: a build with TLS (make BUILD_TLS=yes; Debian\'s redis-server has it), or leave tls out.');
  }
}
