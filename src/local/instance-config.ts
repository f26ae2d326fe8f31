import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parseConfig } from '../config/parse-config';
import { InvalidArgumentError } from '../errors';
import { isLoopbackHost } from './local-cluster-options';

/** What LocalCluster needs to know of a redis.conf it did not write. */
export interface InstanceConfig {
  configFile: string;
  host: string;
  port: number;
  dir: string;
  logFile: string;
  clusterConfigFile: string;
  /** requirepass, when the file sets one. */
  password?: string;
}

/**
 * Reads an instance's redis.conf and the files it includes (in order, the instance's own lines
 * last, as Redis applies them) and checks it can join a local cluster: cluster-enabled, a port,
 * an absolute dir and log file (LocalCluster watches the log for readiness).
 */
export function readInstanceConfig(configFile: string): InstanceConfig {
  const path = resolve(configFile);
  const settings = readWithIncludes(path, new Set());
  const refuse = (problem: string, fix: string): never => {
    throw new InvalidArgumentError('configFile', path, problem, fix);
  };
  if (settings['cluster-enabled'] !== 'yes') refuse('does not set cluster-enabled yes', 'Render it with ConfigRenderer (cluster-enabled yes is in every profile) or add "cluster-enabled yes".');
  const port = Number(settings['port']);
  if (!Number.isInteger(port) || port < 1 || port > 55535) refuse(`has no usable port (${settings['port'] ?? 'none'})`, 'Set "port" to 1-55535 (the cluster bus uses port + 10000).');
  const dir = settings['dir'] ?? '';
  if (!isAbsolute(dir)) refuse(`sets dir to "${dir}", not an absolute path`, 'Set "dir" to an absolute path (ConfigRenderer writes BASE/data/PORT).');
  const logFile = settings['logfile'] ?? '';
  if (!isAbsolute(logFile)) refuse(`sets logfile to "${logFile}", not an absolute path`, 'Set "logfile" to an absolute path: LocalCluster reads it to see the server ready.');
  const host = (settings['bind'] ?? '127.0.0.1').split(/\s+/).find((address) => address !== '' && !address.startsWith('-')) ?? '127.0.0.1';
  return {
    configFile: path,
    host: host === '*' || host === '0.0.0.0' ? '127.0.0.1' : host,
    port,
    dir,
    logFile,
    clusterConfigFile: settings['cluster-config-file'] ?? 'nodes.conf',
    ...(settings['requirepass'] === undefined || settings['requirepass'] === '' ? {} : { password: settings['requirepass'] }),
  };
}

/**
 * Reads every file with readInstanceConfig, then checks them together: loopback binds only, no two
 * on one address, and (when `replicasPerMaster` is given) a whole number of masters.
 */
export function readInstanceConfigs(configFiles: readonly string[], replicasPerMaster?: number): InstanceConfig[] {
  if (!Array.isArray(configFiles) || configFiles.length === 0 || configFiles.some((file) => typeof file !== 'string')) {
    throw new InvalidArgumentError('configFiles', configFiles, 'not a list of config file paths', "Pass the paths of the instances' redis-PORT.conf files.");
  }
  const instances = configFiles.map(readInstanceConfig);
  for (const instance of instances) {
    if (!isLoopbackHost(instance.host)) {
      throw new InvalidArgumentError('configFile', instance.configFile, `binds ${instance.host}, not a loopback address`, 'LocalCluster runs on this machine only: bind 127.0.0.1 (or another 127.x address).');
    }
  }
  const addresses = instances.map((i) => `${i.host}:${i.port}`);
  const clash = addresses.find((address, index) => addresses.indexOf(address) !== index);
  if (clash !== undefined) throw new InvalidArgumentError('configFiles', clash, 'two files use the same address', 'Give every instance its own port.');
  if (replicasPerMaster !== undefined && !Number.isInteger(instances.length / (1 + replicasPerMaster))) {
    throw new InvalidArgumentError('configFiles', `${instances.length} files`, `not a whole number of masters with ${replicasPerMaster} replica(s) each`, `Pass a multiple of ${1 + replicasPerMaster} files, or another replicasPerMaster.`);
  }
  return instances;
}

function readWithIncludes(path: string, seen: Set<string>): Record<string, string> {
  if (seen.has(path)) throw new InvalidArgumentError('configFile', path, 'includes itself', 'Remove the include loop.');
  seen.add(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InvalidArgumentError('configFile', path, `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, 'Pass the path of an existing redis.conf.');
  }
  const document = parseConfig(text);
  const included = document.includes.map((include) => readWithIncludes(resolve(dirname(path), include), seen));
  return Object.assign({}, ...included, document.settings) as Record<string, string>;
}
