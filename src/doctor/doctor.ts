import { readFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { InvalidArgumentError } from '../errors';
import { validateAddress, type NodeAddress } from '../model/address';
import { infoNumber } from '../model/info-parser';
import type { NodeClient } from '../net/node-client';
import { PROFILES, PROFILE_REASONS, type ProfileName } from '../config/profiles';
import { parseMemory } from '../config/option-catalog';
import { checkClusterState } from '../topology/check-rules';
import type { TopologyContext } from '../topology/topology-context';
import type { HostEvidence, NodeEvidence } from './evidence';
import { DEFAULT_DOCTOR_THRESHOLDS, REMEDIES, sectionOf, type DoctorThresholds, type Finding } from './finding';
import { logFindings } from './log-rules';
import { clusterFindings, hostFindings, nodeFindings } from './node-rules';
import { noaddrFindings } from './noaddr-rule';

export interface DiagnoseOptions {
  /** Log file per node: key is the node's `host:port` or id. */
  logFiles?: Record<string, string>;
  /**
   * Prefix for /proc and /sys when reading the Redis host's settings (a copy of that host's tree).
   * Without it, /proc and /sys of the machine running this program are read, and only for nodes on
   * it (loopback or one of its addresses); remote nodes are judged by their own log warnings and INFO.
   * @defaultValue '/' (this machine, local nodes only)
   */
  hostRoot?: string;
  /** Standalone nodes about to join or form a cluster: checked for stale cluster state ("Slot N is already busy"). */
  candidates?: NodeAddress[];
  /** Only the last this many lines of each log are read. @defaultValue 20000 */
  logLines?: number;
  /** Windows and rates that make a repeating symptom a finding. @defaultValue DEFAULT_DOCTOR_THRESHOLDS */
  thresholds?: Partial<DoctorThresholds>;
}

const CONFIG_KEYS = ['cluster-require-full-coverage', 'tcp-backlog', 'appendonly', 'appendfsync', 'repl-backlog-size', 'client-output-buffer-limit', 'maxclients'];

/** Troubleshooting by symptom (runbook section 24): reads every node, its logs and the host, returns findings. */
export async function diagnose(topology: TopologyContext, options: DiagnoseOptions = {}): Promise<Finding[]> {
  const thresholds = { ...DEFAULT_DOCTOR_THRESHOLDS, ...options.thresholds };
  const state = await topology.refresh();
  const host = readHost(options.hostRoot);
  const local = localAddresses();
  // A node that has met no one lists itself with an empty ip (":16399"): use the address we dialled.
  const dialled = new Map(state.views.map((view) => [view.nodeId, view.address]));
  const clusterInfo = new Map(state.views.map((view) => [view.nodeId, view.clusterInfo]));
  const logLines = options.logLines ?? 20_000;
  const evidence: NodeEvidence[] = await Promise.all([
    ...state.nodes.map(async (node) => {
      const address = node.host === '' ? (dialled.get(node.id) ?? node.address) : node.address;
      const log = readLog(options.logFiles?.[address] ?? options.logFiles?.[node.id], logLines);
      const hostRead = options.hostRoot !== undefined || local.has(hostOf(address));
      const base = { nodeId: node.id, address, role: node.role, logLines: log, hostRead };
      if (!node.reachable) return { ...base, reachable: false, info: {}, config: {} };
      const client = topology.pool.get(address);
      const [info, config] = await Promise.all([client.info('everything').catch(() => ({})), configValues(client)]);
      const own = clusterInfo.get(node.id);
      return { ...base, reachable: true, info, config, ...(own === undefined ? {} : { clusterInfo: own }) };
    }),
    ...state.unreachable
      .filter((entry) => entry.nodeId === undefined)
      .map(async (entry) => ({ address: entry.address, reachable: false, info: {}, config: {}, logLines: readLog(options.logFiles?.[entry.address], logLines) })),
  ]);
  const findings: Finding[] = [];
  for (const node of evidence) findings.push(...nodeFindings(node, host, thresholds), ...logFindings(node, thresholds));
  const inspected = evidence.filter((node) => node.hostRead === true).map((node) => node.address);
  if (inspected.length > 0) findings.push(...hostFindings(host, inspected));
  const remote = evidence.filter((node) => node.hostRead === false && node.logLines.length === 0).map((node) => node.address);
  if (remote.length > 0) {
    findings.push({
      code: 'host-not-inspected',
      severity: 'info',
      evidence: `${remote.join(', ')} run on other machines than this one (${hostname()}): their THP, overcommit and somaxconn were not read, and no log file was given for them`,
      remedy: REMEDIES['host-not-inspected'],
    });
  }
  const report = checkClusterState(state);
  findings.push(...clusterFindings(report), ...noaddrFindings(report));
  for (const candidate of options.candidates ?? []) findings.push(...(await candidateFindings(topology, validateAddress(candidate, 'candidates'))));
  const merged = foldStartupWarnings(dedupe(findings), new Set(inspected));
  await accountForRenamedFlushall(topology, merged);
  return merged;
}

/** One difference between a node's live setting and a profile. */
export interface Advice {
  nodeId: string;
  address: string;
  directive: string;
  live: string;
  wanted: string;
  reason: string;
}

/**
 * Compares every master's and replica's live settings (CONFIG GET) with a ConfigRenderer profile and
 * lists each difference with the section-23 reason. Sizes compare as bytes, `save` as pairs.
 */
export async function advise(topology: TopologyContext, profile: ProfileName = 'high-load'): Promise<Advice[]> {
  const settings = PROFILES[profile];
  if (settings === undefined) throw new InvalidArgumentError('profile', profile, 'not a profile', "Pass 'default', 'high-load' or 'queue'.");
  const state = await topology.refresh();
  const advice: Advice[] = [];
  for (const node of state.nodes.filter((n) => n.reachable)) {
    const live = await topology.pool.get(node.address).configGet('*');
    for (const [directive, wanted] of Object.entries(settings)) {
      const value = live[directive];
      if (value === undefined || same(directive, value, wanted)) continue;
      advice.push({ nodeId: node.id, address: node.address, directive, live: value, wanted, reason: PROFILE_REASONS[directive] ?? `section 7: the runbook's ${profile} profile sets ${wanted}` });
    }
  }
  return advice;
}

function same(directive: string, live: string, wanted: string): boolean {
  if (live === wanted) return true;
  const liveBytes = parseMemory(live);
  const wantedBytes = parseMemory(wanted);
  if (liveBytes !== undefined && wantedBytes !== undefined) return liveBytes === wantedBytes;
  if (directive === 'client-output-buffer-limit') {
    const [, hard = '', soft = '', seconds = ''] = wanted.split(' ');
    return live.includes(`slave ${parseMemory(hard)} ${parseMemory(soft)} ${seconds}`);
  }
  return live.replace(/\s+/g, ' ').trim() === wanted.replace(/\s+/g, ' ').trim();
}

async function candidateFindings(topology: TopologyContext, address: NodeAddress): Promise<Finding[]> {
  const client = topology.pool.get(address);
  try {
    const info = await client.clusterInfo();
    const slots = infoNumber(info, 'cluster_slots_assigned') ?? 0;
    const known = infoNumber(info, 'cluster_known_nodes') ?? 1;
    const keys = await client.dbsize();
    if (slots === 0 && known <= 1 && keys === 0) return [];
    return [
      {
        code: 'stale-cluster-config',
        severity: 'error',
        address: client.address,
        evidence: `cluster_slots_assigned:${slots} cluster_known_nodes:${known} keys:${keys}: creating with it fails with "ERR Slot N is already busy"`,
        remedy: REMEDIES['stale-cluster-config'],
      },
    ];
  } catch (error) {
    return [{ code: 'node-unreachable', severity: 'error', address: client.address, evidence: (error as Error).message, remedy: REMEDIES['node-unreachable'] }];
  }
}

async function configValues(client: NodeClient): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  await Promise.all(CONFIG_KEYS.map(async (key) => Object.assign(values, await client.configGet(key).catch(() => ({})))));
  return values;
}

function readHost(hostRoot: string | undefined): HostEvidence {
  const root = hostRoot ?? '/';
  const read = (path: string): string | undefined => {
    try {
      return readFileSync(join(root, path), 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  const somaxconn = read('/proc/sys/net/core/somaxconn');
  const overcommit = read('/proc/sys/vm/overcommit_memory');
  const thp = read('/sys/kernel/mm/transparent_hugepage/enabled');
  return {
    ...(somaxconn === undefined ? {} : { somaxconn: Number(somaxconn) }),
    ...(overcommit === undefined ? {} : { overcommit: Number(overcommit) }),
    ...(thp === undefined ? {} : { thp: /\[([^\]]+)\]/.exec(thp)?.[1] ?? thp }),
    source: hostRoot === undefined ? `this machine (${hostname()}, the one running this program)` : `the host tree at ${hostRoot}`,
  };
}

/** Loopback and every address of this machine's interfaces. */
function localAddresses(): Set<string> {
  const result = new Set<string>(['localhost', '127.0.0.1', '::1']);
  for (const list of Object.values(networkInterfaces())) for (const entry of list ?? []) result.add(entry.address);
  return result;
}

function hostOf(address: string): string {
  const host = address.slice(0, address.lastIndexOf(':')).replace(/^\[|\]$/g, '');
  return host.startsWith('127.') ? '127.0.0.1' : host;
}

function readLog(path: string | undefined, maxLines: number): string[] {
  if (path === undefined) return [];
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-maxLines);
  } catch {
    return [];
  }
}

const SEVERITY_RANK: Readonly<Record<Finding['severity'], number>> = { error: 0, warning: 1, info: 2 };

/** One finding per code and node (INFO, the log and check() may all show the same symptom): the gravest severity wins. */
function dedupe(findings: readonly Finding[]): Finding[] {
  const seen = new Map<string, Finding>();
  for (const finding of findings) {
    const key = `${finding.code}|${finding.nodeId ?? finding.address ?? ''}`;
    const existing = seen.get(key);
    if (existing === undefined) {
      seen.set(key, { ...finding, section: finding.section ?? sectionOf(finding.code) });
      continue;
    }
    if (!existing.evidence.includes(finding.evidence)) existing.evidence = `${existing.evidence}; ${finding.evidence}`;
    if (SEVERITY_RANK[finding.severity] < SEVERITY_RANK[existing.severity]) existing.severity = finding.severity;
    if (existing.window === undefined && finding.window !== undefined) existing.window = finding.window;
  }
  return [...seen.values()];
}

/** A local node's own startup warning about THP or overcommit joins the host-wide finding it repeats. */
function foldStartupWarnings(findings: Finding[], inspected: ReadonlySet<string>): Finding[] {
  const dropped = new Set<Finding>();
  for (const code of ['thp-enabled', 'overcommit-zero'] as const) {
    const hostWide = findings.find((f) => f.code === code && f.address === undefined);
    if (hostWide === undefined) continue;
    const echoes = findings.filter((f) => f.code === code && f.address !== undefined && inspected.has(f.address));
    if (echoes.length === 0) continue;
    echoes.forEach((f) => dropped.add(f));
    hostWide.evidence = `${hostWide.evidence}; the server warned about it at its last start too on ${echoes.map((f) => f.address).join(', ')}`;
  }
  return findings.filter((f) => !dropped.has(f));
}

/**
 * Remedies that say FLUSHALL are reworded for a node where rename-command took it away (the
 * runbook disables it in production, section 20): COMMAND INFO FLUSHALL answers nil there.
 */
async function accountForRenamedFlushall(topology: TopologyContext, findings: Finding[]): Promise<void> {
  for (const finding of findings) {
    if (!finding.remedy.includes('FLUSHALL') || finding.address === undefined || finding.address === '') continue;
    const reply = await topology.pool
      .get(finding.address)
      .call(['COMMAND', 'INFO', 'FLUSHALL'])
      .catch(() => undefined);
    if (Array.isArray(reply) && reply.length > 0 && reply[0] === null) {
      finding.remedy = finding.remedy.replace(
        /FLUSHALL[^;.]*/,
        'FLUSHALL is disabled on this node (rename-command, section 20): use the name it was renamed to if one was set, else stop the node and delete its data files (dump-PORT.rdb, appendonly files) with its nodes-PORT.conf, then start it again',
      );
    }
  }
}
