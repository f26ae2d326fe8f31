import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { quoteConfigValue } from '../config/render-config';
import { ClusterOpsError } from '../errors';
import type { ServerCapabilities } from '../net/capabilities';
import { trackProcess, untrackProcess } from './process-registry';

export interface RedisProcessSpec {
  host: string;
  port: number;
  /** This node's own directory (data, nodes.conf, log). */
  dir: string;
  /** Path of the redis-server binary. */
  redisServer: string;
  /** What that binary supports: only directives it knows are written. @defaultValue Redis 7.0's */
  capabilities?: ServerCapabilities;
  /** TLS-only node: `port 0`, `tls-port PORT`, TLS on the cluster bus and for replication, with these files. */
  tls?: { certFile: string; keyFile: string; caFile: string };
  /** Directives, rendered `name value` one per line, after our defaults. */
  config: Record<string, string | number>;
  /**
   * An existing config file to start from as it is (e.g. one ConfigRenderer wrote), instead of
   * writing our own; `config` is then ignored and only `--daemonize no` is added on the command line.
   * `dir`, `logFile` and `clusterConfigFile` must then say where that file puts them.
   */
  configFile?: string;
  /** Absolute path of the log file. @defaultValue DIR/redis-PORT.log */
  logFile?: string;
  /** The cluster config file (nodes.conf) name, under `dir`. @defaultValue nodes-PORT.conf */
  clusterConfigFile?: string;
}

/** A redis-server we started and own. */
export class RedisProcess {
  readonly host: string;
  readonly port: number;
  readonly dir: string;
  readonly configFile: string;
  readonly logFile: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly spec: RedisProcessSpec) {
    this.host = spec.host;
    this.port = spec.port;
    this.dir = spec.dir;
    this.configFile = spec.configFile ?? join(spec.dir, `redis-${spec.port}.conf`);
    this.logFile = spec.logFile ?? join(spec.dir, `redis-${spec.port}.log`);
  }

  get pid(): number | undefined {
    return this.child?.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  get running(): boolean {
    return this.pid !== undefined;
  }

  /** True between pause() and resume(): the process exists but answers nothing. */
  get paused(): boolean {
    return this.stopped && this.running;
  }

  /**
   * The config file we write: loopback-only, cluster-enabled, no persistence unless asked, with only
   * the directives the server's version knows. Paths are quoted (a temp dir may hold spaces).
   */
  renderConfig(): string {
    const { host, port, dir, tls } = this.spec;
    const knows = this.spec.capabilities ?? { bindSourceAddr: true };
    const directives: Record<string, string | number> = {
      port: tls === undefined ? port : 0,
      ...(tls === undefined
        ? {}
        : {
            'tls-port': port,
            'tls-cert-file': quoteConfigValue(tls.certFile),
            'tls-key-file': quoteConfigValue(tls.keyFile),
            'tls-ca-cert-file': quoteConfigValue(tls.caFile),
            'tls-cluster': 'yes',
            'tls-replication': 'yes',
          }),
      bind: host,
      'protected-mode': 'no',
      daemonize: 'no',
      'cluster-enabled': 'yes',
      'cluster-config-file': `nodes-${port}.conf`,
      'cluster-node-timeout': 5000,
      'cluster-announce-ip': host,
      // Redis 7.0+: outgoing links leave from the node's own address (one loopback address per "host").
      ...(knows.bindSourceAddr ? { 'bind-source-addr': host } : {}),
      dir: quoteConfigValue(dir),
      dbfilename: `dump-${port}.rdb`,
      appendfilename: `appendonly-${port}.aof`,
      appendonly: 'no',
      save: '""',
      logfile: quoteConfigValue(this.logFile),
      pidfile: quoteConfigValue(join(dir, `redis-${port}.pid`)),
      loglevel: 'notice',
      ...this.spec.config,
    };
    return `${Object.entries(directives)
      .map(([name, value]) => `${name} ${value}`)
      .join('\n')}\n`;
  }

  /** Writes the config (first start only) and spawns redis-server; resolves once it answers PING. */
  async start(readyTimeoutMs = 10_000): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    if (!existsSync(this.configFile)) writeFileSync(this.configFile, this.renderConfig());
    const logOffset = existsSync(this.logFile) ? statSync(this.logFile).size : 0;
    // In the foreground whatever the file says: we own the process and watch it exit. In its own
    // process group, so a terminal's Ctrl-C reaches only our program, which decides what happens
    // to the nodes (the process registry still kills them when this process exits).
    const child = spawn(this.spec.redisServer, [this.configFile, '--daemonize', 'no'], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    this.stopped = false;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    trackProcess(child);
    const deadline = Date.now() + readyTimeoutMs;
    for (;;) {
      const failure = await Promise.race([spawnError, sleep(20).then(() => undefined)]);
      if (failure !== undefined) {
        throw new ClusterOpsError('ERR_REDIS_START', `Could not run ${this.spec.redisServer}: ${failure.message}. Install redis-server 7.x (apt-get install -y redis-server) or pass redisServer.`, {
          details: { address: `${this.host}:${this.port}` },
        });
      }
      if (child.exitCode !== null || child.signalCode !== null) {
        const output = (stderr + this.logTail()).trim();
        // The server's log is the only place that says why it could not bind (EADDRINUSE).
        throw new ClusterOpsError('ERR_REDIS_START', `redis-server on ${this.host}:${this.port} exited at start: ${output.slice(-600)}`, {
          details: { address: `${this.host}:${this.port}`, portInUse: /Address already in use/i.test(output) },
        });
      }
      if (this.logSince(logOffset).includes('Ready to accept connections')) {
        // From here on Redis logs to its file. Let go of the pipe and the handle so a script that
        // forgets stop() still exits (the exit hook then kills this process).
        child.stderr?.destroy();
        child.unref();
        return;
      }
      if (Date.now() > deadline) {
        await this.kill('SIGKILL');
        throw new ClusterOpsError('ERR_REDIS_START', `redis-server on ${this.host}:${this.port} was not ready within ${readyTimeoutMs} ms`, {
          details: { address: `${this.host}:${this.port}` },
        });
      }
    }
  }

  /** Sends a signal and waits for the process to exit (SIGTERM lets Redis save and exit cleanly). */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(timer);
    untrackProcess(child);
  }

  /** Stops the process from running (SIGSTOP): the node looks hung to the cluster. */
  pause(): void {
    if (this.child?.kill('SIGSTOP') === true) this.stopped = true;
  }

  resume(): void {
    this.child?.kill('SIGCONT');
    this.stopped = false;
  }

  private logSince(offset: number): string {
    try {
      return readFileSync(this.logFile).subarray(offset).toString('utf8');
    } catch {
      return '';
    }
  }

  /** This node's id, read from its cluster config file (works while it is down). */
  nodeIdFromConfig(): string | undefined {
    try {
      const text = readFileSync(join(this.dir, this.spec.clusterConfigFile ?? `nodes-${this.port}.conf`), 'utf8');
      const line = text.split('\n').find((l) => l.split(' ')[2]?.split(',').includes('myself'));
      return line?.split(' ')[0];
    } catch {
      return undefined;
    }
  }

  /** The end of this node's log file. */
  logTail(bytes = 4000): string {
    try {
      const text = readFileSync(this.logFile, 'utf8');
      return text.slice(-bytes);
    } catch {
      return '';
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
