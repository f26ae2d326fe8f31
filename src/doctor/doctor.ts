import { readFileSync } from 'node:fs';
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
import { REMEDIES, type Finding } from './finding';
import { logFindings } from './log-rules';
import { clusterFindings, hostFindings, nodeFindings } from './node-rules';
import { noaddrFindings } from './noaddr-rule';

export interface DiagnoseOptions {
  /** Log file per node: key is the node's `host:port` or id. */
  logFiles?: Record<string, string>;
  /**
   * Prefix for /proc and /sys when reading the host's settings (a copy of a host's tree).
   * @defaultValue '/'
   */
  hostRoot?: string;
  /** Standalone nodes about to join or form a cluster: checked for stale cluster state ("Slot N is already busy"). */
  candidates?: NodeAddress[];
  /** Only the last this many lines of each log are read. @defaultValue 20000 */
  logLines?: number;
}

const CONFIG_KEYS = ['cluster-require-full-coverage', 'tcp-backlog', 'appendonly', 'appendfsync', 'repl-backlog-size', 'client-output-buffer-limit'];

/** Troubleshooting by symptom (runbook section 24): reads every node, its logs and the host, returns findings. */
export async function diagnose(topology: TopologyContext, options: DiagnoseOptions = {}): Promise<Finding[]> {
  const state = await topology.refresh();
  const host = readHost(options.hostRoot ?? '/');
  const evidence: NodeEvidence[] = await Promise.all([
    ...state.nodes.map(async (node) => {
      const log = readLog(options.logFiles?.[node.address] ?? options.logFiles?.[node.id], options.logLines ?? 20_000);
      if (!node.reachable) return { nodeId: node.id, address: node.address, role: node.role, reachable: false, info: {}, config: {}, logLines: log };
      const client = topology.pool.get(node.address);
      const [info, config] = await Promise.all([client.info('everything').catch(() => ({})), configValues(client)]);
      return { nodeId: node.id, address: node.address, role: node.role, reachable: true, info, config, logLines: log };
    }),
    ...state.unreachable
      .filter((entry) => entry.nodeId === undefined)
      .map(async (entry) => ({ address: entry.address, reachable: false, info: {}, config: {}, logLines: readLog(options.logFiles?.[entry.address], options.logLines ?? 20_000) })),
  ]);
  const findings: Finding[] = [];
  for (const node of evidence) findings.push(...nodeFindings(node, host), ...logFindings(node));
  findings.push(...hostFindings(host), ...clusterFindings(checkClusterState(state)));
  findings.push(...noaddrFindings(checkClusterState(state)));
  for (const candidate of options.candidates ?? []) findings.push(...(await candidateFindings(topology, validateAddress(candidate, 'candidates'))));
  return dedupe(findings);
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

function readHost(root: string): HostEvidence {
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
  };
}

function readLog(path: string | undefined, maxLines: number): string[] {
  if (path === undefined) return [];
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-maxLines);
  } catch {
    return [];
  }
}

/** One finding per code and node (INFO and the log may both show the same symptom). */
function dedupe(findings: readonly Finding[]): Finding[] {
  const seen = new Map<string, Finding>();
  for (const finding of findings) {
    const key = `${finding.code}|${finding.nodeId ?? finding.address ?? ''}`;
    const existing = seen.get(key);
    if (existing === undefined) seen.set(key, finding);
    else if (!existing.evidence.includes(finding.evidence)) existing.evidence = `${existing.evidence}; ${finding.evidence}`;
  }
  return [...seen.values()];
}
