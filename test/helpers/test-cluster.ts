import type { Cluster, ClusterOptions } from 'ioredis';
import { execFileSync } from 'node:child_process';
import { compareVersions, LocalCluster, parseServerVersionLine, type ClusterTopology, type LocalClusterOptions, type ServerInfo } from '../../src/index';

/** A LocalCluster with a ClusterTopology and an ioredis Cluster client over it. */
export interface TestCluster {
  local: LocalCluster;
  topology: ClusterTopology;
  client: Cluster;
}

/**
 * The server binary the tests run on: `REDIS_CLUSTER_OPS_TEST_SERVER` (a redis-server or
 * valkey-server path, set by the compatibility matrix), else the one on PATH.
 */
export const TEST_SERVER: string | undefined = process.env['REDIS_CLUSTER_OPS_TEST_SERVER'] || undefined;

/** What the server under test is (its `--version`), and the ConfigRenderer redisVersion that matches it. */
let cachedInfo: (ServerInfo & { path: string; renderVersion: string }) | undefined;
export function testServerInfo(): ServerInfo & { path: string; renderVersion: string } {
  if (cachedInfo !== undefined) return cachedInfo;
  const path = TEST_SERVER ?? 'redis-server';
  const info = parseServerVersionLine(execFileSync(path, ['--version'], { encoding: 'utf8' }));
  if (info === undefined) throw new Error(`${path} --version names no Redis or Valkey version`);
  const [major, minor] = info.redisCompatibleVersion.split('.');
  cachedInfo = { ...info, path, renderVersion: `${major}.${minor}` };
  return cachedInfo;
}

/**
 * Directives some tests set that older servers lack: left out there, where the behaviour they
 * switch on is the server's only one (DEBUG is always allowed before 7.0) or not available.
 */
const DIRECTIVE_SINCE: Readonly<Record<string, string>> = {
  'enable-debug-command': '7.0',
  'enable-protected-configs': '7.0',
  'cluster-allow-replica-migration': '6.2',
};

/** The options with the server under test filled in (an explicit redisServer wins), minus directives it lacks. */
export function withTestServer<T extends { redisServer?: string; config?: Record<string, string | number> }>(options: T): T {
  if (TEST_SERVER === undefined || options.redisServer !== undefined) return options;
  return { ...options, redisServer: TEST_SERVER, ...(options.config === undefined ? {} : { config: testConfig(options.config) }) };
}

/** Node directives for the server under test: those it lacks (see DIRECTIVE_SINCE) left out. */
export function testConfig(config: Record<string, string | number>): Record<string, string | number> {
  const { redisCompatibleVersion } = testServerInfo();
  return Object.fromEntries(Object.entries(config).filter(([name]) => compareVersions(redisCompatibleVersion, DIRECTIVE_SINCE[name] ?? '0') >= 0));
}

/** LocalCluster.start on the server under test: what every integration test uses, so the matrix can run it on each version. */
export function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  return LocalCluster.start(withTestServer(options));
}

/** Starts a LocalCluster, then a topology and a client over it; stopTestCluster() ends all three. */
export async function startTestCluster(options: LocalClusterOptions, extra: { convergenceTimeoutMs?: number; client?: ClusterOptions } = {}): Promise<TestCluster> {
  const local = await startLocalCluster(options);
  return {
    local,
    topology: local.topology(extra.convergenceTimeoutMs === undefined ? {} : { convergenceTimeoutMs: extra.convergenceTimeoutMs }),
    client: local.client(extra.client),
  };
}

/** Disconnects the client, closes the topology and stops every redis-server; fine on a cluster that never started. */
export async function stopTestCluster(cluster: Partial<TestCluster>): Promise<void> {
  cluster.client?.disconnect();
  await cluster.topology?.close();
  await cluster.local?.stop();
}
