import { InvalidArgumentError } from '../errors';
import { formatAddress, validateAddress, type NodeAddress } from '../model/address';
import { SLOT_COUNT } from '../model/key-slot';
import { SlotSet } from '../model/slot-set';
import { createPlanId } from './parse-create-plan';
import { assignReplicas, groupByHost } from './replica-placement';

export interface CreatePlanOptions {
  /**
   * Replicas per master (redis-cli's --cluster-replicas).
   * @defaultValue 1
   */
  replicasPerMaster?: number;
  /** Host label of a node for anti-affinity; defaults to its `host`. Use it when IPs hide the machine. */
  hostOf?: (node: NodeAddress) => string;
}

export interface PlannedMaster {
  address: string;
  host: string;
  /** Slots in CLUSTER NODES form, e.g. "0-5460". */
  slots: string;
  slotCount: number;
}

export interface PlannedReplica {
  address: string;
  host: string;
  /** The master's address. */
  of: string;
}

export interface AntiAffinityViolation {
  master: string;
  replica: string;
  host: string;
}

/** A serializable plan for creating a cluster. */
export interface CreatePlan {
  kind: 'create';
  /** Digest of the placement (createPlanId): parseCreatePlan() refuses an edited plan. */
  id: string;
  masters: PlannedMaster[];
  replicas: PlannedReplica[];
  /** True when no master shares a host with one of its replicas. */
  antiAffinity: boolean;
  /** Master/replica pairs on one host: only when no other placement existed. */
  violations: AntiAffinityViolation[];
  warnings: string[];
}

/**
 * Pure: plans a new cluster over `nodes`. Masters get contiguous, even slot shares and are
 * spread over hosts; a master and its replicas never share a host when another placement exists
 * (the plan lists the pairs it could not separate). Nodes beyond masters x (1 + replicas) become
 * extra replicas. Deterministic for the same input.
 */
export function planCreate(nodes: readonly NodeAddress[], options: CreatePlanOptions = {}): CreatePlan {
  const replicasPerMaster = options.replicasPerMaster ?? 1;
  if (!Number.isInteger(replicasPerMaster) || replicasPerMaster < 0) {
    throw new InvalidArgumentError('replicasPerMaster', replicasPerMaster, 'not a whole number >= 0', 'Pass 0, 1 (the runbook\'s --cluster-replicas 1) or more.');
  }
  if (!Array.isArray(nodes)) {
    throw new InvalidArgumentError('nodes', nodes, 'not an array of addresses', 'Pass [{ host, port }, ...].');
  }
  const checked = nodes.map((node, index) => validateAddress(node, `nodes[${index}]`));
  const seen = new Set<string>();
  for (const node of checked) {
    const key = formatAddress(node);
    if (seen.has(key)) throw new InvalidArgumentError('nodes', key, 'listed twice', 'Give each node once.');
    seen.add(key);
  }
  const masterCount = Math.floor(checked.length / (replicasPerMaster + 1));
  if (masterCount < 3) {
    throw new InvalidArgumentError(
      'nodes',
      checked.length,
      `${checked.length} node(s) with replicasPerMaster ${replicasPerMaster} make only ${masterCount} master(s); a cluster needs at least 3`,
      `Pass at least ${3 * (replicasPerMaster + 1)} nodes, or fewer replicas per master.`,
    );
  }

  const hostOf = options.hostOf ?? ((node: NodeAddress) => node.host);
  const items = checked.map((node) => ({ address: formatAddress(node), host: hostOf(node) }));
  const hosts = groupByHost(items);
  const mastersPerHost = chooseMastersPerHost(hosts.map((h) => h.nodes.length), items.length, masterCount, replicasPerMaster);

  // Take masters round-robin over hosts, within each host's quota, so masters spread out.
  const quota = [...mastersPerHost];
  const masters: { address: string; host: string }[] = [];
  const used = new Set<string>();
  for (let round = 0; masters.length < masterCount; round++) {
    hosts.forEach((group, index) => {
      if (masters.length >= masterCount || (quota[index] ?? 0) <= 0) return;
      const node = group.nodes[round];
      if (node === undefined) return;
      masters.push(node);
      used.add(node.address);
      quota[index] = (quota[index] ?? 0) - 1;
    });
  }

  const rest = items.filter((item) => !used.has(item.address));
  const assignment = assignReplicas(masters, rest, replicasPerMaster);

  const plannedMasters = masters.map((master, index) => {
    const start = Math.floor((index * SLOT_COUNT) / masterCount);
    const end = Math.floor(((index + 1) * SLOT_COUNT) / masterCount) - 1;
    const slots = SlotSet.fromRanges([[start, end]]);
    return { address: master.address, host: master.host, slots: slots.toString(), slotCount: slots.size };
  });
  const replicas: PlannedReplica[] = assignment.map(({ replica, master }) => ({ address: replica.address, host: replica.host, of: master.address }));
  const violations = assignment
    .filter(({ replica, master }) => replica.host === master.host)
    .map(({ replica, master }) => ({ master: master.address, replica: replica.address, host: master.host }));
  const warnings: string[] = [];
  if (violations.length > 0) {
    warnings.push(
      `No placement keeps every master and its replicas on different hosts with these nodes: ${violations
        .map((v) => `${v.replica} replicates ${v.master} on host ${v.host}`)
        .join('; ')}. Add nodes on other hosts to fix this.`,
    );
  }
  if (hosts.length < 3) warnings.push(`All nodes are on ${hosts.length} host(s); the runbook asks for at least 3 hosts in production.`);
  return { kind: 'create', id: createPlanId(plannedMasters, replicas), masters: plannedMasters, replicas, antiAffinity: violations.length === 0, violations, warnings };
}

/**
 * How many masters each host gets. A host with many nodes must keep few masters, or its masters
 * run out of replicas on other hosts: a master on host h needs r replicas from the n - c_h nodes
 * elsewhere, minus the masters there, so (r - 1) * m_h <= n - c_h - m. Within those caps, masters
 * go round-robin; when the caps cannot hold m masters, plain round-robin (violations follow).
 */
function chooseMastersPerHost(counts: readonly number[], total: number, masterCount: number, replicas: number): number[] {
  const slacks = counts.map((count) => total - count - masterCount);
  const caps = counts.map((count, index) => {
    const slack = slacks[index] ?? 0;
    return replicas <= 1 ? count : Math.min(count, Math.floor(slack / (replicas - 1)));
  });
  const feasible = replicas >= 1 && slacks.every((slack) => slack >= 0) && caps.reduce((a, b) => a + b, 0) >= masterCount;
  const limits = feasible ? caps : [...counts];
  const result = counts.map(() => 0);
  let placed = 0;
  while (placed < masterCount) {
    let progressed = false;
    for (let index = 0; index < counts.length && placed < masterCount; index++) {
      if ((result[index] ?? 0) < (limits[index] ?? 0)) {
        result[index] = (result[index] ?? 0) + 1;
        placed++;
        progressed = true;
      }
    }
    if (!progressed) break;
  }
  return result;
}
