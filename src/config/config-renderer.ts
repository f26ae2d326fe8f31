import { isAbsolute, join } from 'node:path';
import { InvalidArgumentError } from '../errors';
import { parseConfig, type ConfigDocument } from './parse-config';
import { OPTION_CATALOG, SECRET_OPTIONS, compareVersions } from './option-catalog';
import { PROFILES, type ProfileName } from './profiles';
import { renderDocument } from './render-config';
import { validatePorts, validateSettings } from './validate-config';
import { frozen, stripUndefined } from '../util/frozen';

export interface ConfigRendererOptions {
  /** The layout's root (the runbook's /data/redis): bin/, conf/, data/PORT/, log/. Absolute. */
  baseDir: string;
  /**
   * Target Redis version: replica-* names from 5.0, slave-* before; options the version lacks are refused.
   * @defaultValue '7.0'
   */
  redisVersion?: string;
  /**
   * The runbook profile: 'default' (section 7), 'high-load' (section 23), 'queue' (section 23, no AOF).
   * @defaultValue 'default'
   */
  profile?: ProfileName;
  /** maxmemory in bytes or with a unit ('4gb'); with it the runbook's maxmemory-policy volatile-lru is set. */
  maxmemory?: string;
  /**
   * Section 20: rename-command to "" for KEYS, FLUSHDB, FLUSHALL (true) or for the given commands.
   * @defaultValue false
   */
  disableCommands?: boolean | readonly string[];
  /**
   * Where pidfiles go: 'run' = /var/run/redis-PORT.pid (the guide), 'log' = BASE/log (when /var/run is not writable).
   * @defaultValue 'run'
   */
  pidDir?: 'run' | 'log';
  /** The host's net.core.somaxconn, to check tcp-backlog against (HostTuner.inspect() reads it). */
  hostSomaxconn?: number;
  /** Directives over the profile for every instance. */
  overrides?: Readonly<Record<string, string | number>>;
}

export const DEFAULT_CONFIG_RENDERER_OPTIONS = frozen({
  redisVersion: '7.0',
  profile: 'default' as ProfileName,
  disableCommands: false as boolean | readonly string[],
  pidDir: 'run' as 'run' | 'log',
});

export interface RenderRequest {
  /** One instance... */
  port?: number;
  /** ...or several: one redis.conf plus one redis-PORT.conf each. */
  ports?: readonly number[];
  /** Directives over the profile and the renderer's overrides, for this call. */
  overrides?: Readonly<Record<string, string | number>>;
}

export interface RenderedConfig {
  /** File name (under BASE/conf) -> text. */
  files: Record<string, string>;
  /** Directories to create, absolute. */
  dirs: string[];
  warnings: string[];
  /** The common settings and each instance's, as data (what parse() of the files returns). */
  common: ConfigDocument;
  instances: Record<number, ConfigDocument>;
}

/** Renders the runbook's two-file layout (redis.conf + redis-PORT.conf), validated rule by rule. */
export class ConfigRenderer {
  readonly options: Required<Omit<ConfigRendererOptions, 'maxmemory' | 'hostSomaxconn' | 'overrides'>> & Pick<ConfigRendererOptions, 'maxmemory' | 'hostSomaxconn' | 'overrides'>;

  constructor(options: ConfigRendererOptions) {
    if (options === null || typeof options !== 'object' || typeof options.baseDir !== 'string' || !isAbsolute(options.baseDir)) {
      throw new InvalidArgumentError('baseDir', options?.baseDir, 'not an absolute path', "Pass the layout's root, e.g. baseDir: '/data/redis'.");
    }
    this.options = { ...DEFAULT_CONFIG_RENDERER_OPTIONS, ...stripUndefined(options) } as typeof this.options;
    if (!/^\d+\.\d+(\.\d+)?$/.test(this.options.redisVersion)) {
      throw new InvalidArgumentError('redisVersion', this.options.redisVersion, 'not a version like 7.0', "Pass redisVersion: '7.0' (or '5.0', '4.0').");
    }
    if (!(this.options.profile in PROFILES)) {
      throw new InvalidArgumentError('profile', this.options.profile, 'not a known profile', "Pass 'default', 'high-load' or 'queue'.");
    }
  }

  /** Renders the common file and one file per port; throws ConfigValidationError on a broken rule. */
  render(request: RenderRequest): RenderedConfig {
    const ports = request.ports ?? (request.port === undefined ? [] : [request.port]);
    if (ports.length === 0) throw new InvalidArgumentError('port', request.port, 'no port given', 'Pass { port: 6381 } or { ports: [6381, 6382] }.');
    validatePorts(ports);
    const { baseDir, redisVersion } = this.options;
    const merged: Record<string, string> = { ...PROFILES[this.options.profile] };
    if (this.options.maxmemory !== undefined) {
      merged.maxmemory = this.options.maxmemory;
      merged['maxmemory-policy'] = 'volatile-lru';
    }
    if (compareVersions(redisVersion, '4.0') < 0) delete merged['aof-use-rdb-preamble'];
    const perPortOverrides: Record<string, string> = {};
    for (const [name, value] of Object.entries({ ...this.options.overrides, ...request.overrides })) {
      const text = String(value);
      if (OPTION_CATALOG[name]?.perPort === true) perPortOverrides[name] = text;
      else merged[name] = text;
    }
    const conf = join(baseDir, 'conf');
    const instances: Record<number, ConfigDocument> = {};
    const warnings = new Set<string>();
    for (const port of ports) {
      const settings: Record<string, string> = {
        port: String(port),
        'cluster-config-file': `nodes-${port}.conf`,
        pidfile: this.options.pidDir === 'log' ? join(baseDir, 'log', `redis-${port}.pid`) : `/var/run/redis-${port}.pid`,
        dir: join(baseDir, 'data', String(port)),
        dbfilename: `dump-${port}.rdb`,
        appendfilename: `appendonly-${port}.aof`,
        logfile: join(baseDir, 'log', `redis-${port}.log`),
        ...perPortOverrides,
      };
      for (const warning of validateSettings({ ...merged, ...settings }, { version: redisVersion, profile: this.options.profile, ...(this.options.hostSomaxconn === undefined ? {} : { hostSomaxconn: this.options.hostSomaxconn }) })) {
        warnings.add(warning);
      }
      instances[port] = { includes: [join(conf, 'redis.conf')], settings, renames: {} };
    }
    const renames: Record<string, string> = {};
    const disabled = this.options.disableCommands === true ? ['KEYS', 'FLUSHDB', 'FLUSHALL'] : this.options.disableCommands === false ? [] : this.options.disableCommands;
    for (const command of disabled) {
      if (!/^[A-Za-z-]+$/.test(command)) throw new InvalidArgumentError('disableCommands', command, 'not a command name', 'Pass names like "KEYS".');
      renames[command.toUpperCase()] = '';
    }
    const common: ConfigDocument = { includes: [], settings: merged, renames };
    const files: Record<string, string> = { 'redis.conf': renderDocument(common, redisVersion, `Common settings (profile ${this.options.profile}, Redis ${redisVersion})`) };
    for (const port of ports) files[`redis-${port}.conf`] = renderDocument(instances[port] as ConfigDocument, redisVersion, `Instance ${port}`);
    const dirs = [join(baseDir, 'bin'), conf, join(baseDir, 'log'), ...ports.map((port) => join(baseDir, 'data', String(port)))];
    return { files, dirs, warnings: [...warnings], common, instances };
  }

  /** Parses redis.conf text into the same structure render() produces (see ConfigDocument). */
  static parse(text: string): ConfigDocument {
    return parseConfig(text);
  }

  parse(text: string): ConfigDocument {
    return parseConfig(text);
  }

  /** The effective settings of one instance (common + its own), secrets hidden, e.g. to diff against CONFIG GET. */
  static describe(rendered: RenderedConfig, port: number): Record<string, string> {
    const all = { ...rendered.common.settings, ...rendered.instances[port]?.settings };
    for (const name of SECRET_OPTIONS) if (all[name] !== undefined) all[name] = '(hidden)';
    return all;
  }
}
