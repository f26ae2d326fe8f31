/**
 * Pure rules about cluster-node-timeout across the nodes of a cluster. Operations lower one
 * node's timeout to FAST_GOSSIP_NODE_TIMEOUT_MS for a moment (fastGossip, fastJoin); a process
 * killed in between leaves it there. Nothing on a node can carry a marker that outlives our
 * process, so the node's intended value is read from its peers: the value most nodes have.
 */

/** cluster-node-timeout a node gets while the others must learn something from its pings. */
export const FAST_GOSSIP_NODE_TIMEOUT_MS = 500;

/** One node's cluster-node-timeout as CONFIG GET reported it (undefined: CONFIG refused or renamed). */
export interface NodeTimeoutReading {
  nodeId: string;
  address: string;
  valueMs: number | undefined;
}

/** A node whose cluster-node-timeout differs from the value most nodes have. */
export interface NodeTimeoutOutlier {
  nodeId: string;
  address: string;
  valueMs: number;
  /** The value most nodes have. */
  intendedMs: number;
  /** True when it is the fast-gossip value: an operation lowered it and did not restore it (a crash). */
  leftLowered: boolean;
}

/**
 * The value the cluster means to run with: the most common one. The fast-gossip value counts
 * only when a strict majority of nodes has it (a crash during create() may have left half the
 * nodes there); ties go to the larger value. Undefined when no node reported a value.
 */
export function intendedNodeTimeout(readings: readonly NodeTimeoutReading[]): number | undefined {
  const values = readings.map((reading) => reading.valueMs).filter((value): value is number => value !== undefined);
  if (values.length === 0) return undefined;
  const fast = values.filter((value) => value === FAST_GOSSIP_NODE_TIMEOUT_MS).length;
  if (fast * 2 > values.length) return FAST_GOSSIP_NODE_TIMEOUT_MS;
  const counts = new Map<number, number>();
  for (const value of values) if (value !== FAST_GOSSIP_NODE_TIMEOUT_MS) counts.set(value, (counts.get(value) ?? 0) + 1);
  let best: [number, number] | undefined;
  for (const entry of counts) if (best === undefined || entry[1] > best[1] || (entry[1] === best[1] && entry[0] > best[0])) best = entry;
  return best?.[0];
}

/** Pure: every node whose value differs from intendedNodeTimeout(), in input order. */
export function nodeTimeoutOutliers(readings: readonly NodeTimeoutReading[]): NodeTimeoutOutlier[] {
  const intendedMs = intendedNodeTimeout(readings);
  if (intendedMs === undefined) return [];
  return readings
    .filter((reading): reading is NodeTimeoutReading & { valueMs: number } => reading.valueMs !== undefined && reading.valueMs !== intendedMs)
    .map((reading) => ({
      nodeId: reading.nodeId,
      address: reading.address,
      valueMs: reading.valueMs,
      intendedMs,
      leftLowered: reading.valueMs === FAST_GOSSIP_NODE_TIMEOUT_MS,
    }));
}
