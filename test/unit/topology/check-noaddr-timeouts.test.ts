import { describe, expect, it } from 'vitest';
import { ClusterState, intendedNodeTimeout, nodeTimeoutOutliers, parseClusterNodes, type NodeTimeoutReading, type NodeView } from '../../../src/index';
import { checkClusterState } from '../../../src/topology/check-rules';

const id = (c: string): string => c.repeat(40);
const [A, B, C, D, E] = ['a', 'b', 'c', 'd', 'e'].map(id) as [string, string, string, string, string];

/** Master A died and a new, empty server (another id) answers at 10.0.0.1:7000: Redis forgot A's address. */
function noaddrViews(): NodeView[] {
  const lines: Record<string, string> = {
    [A]: `${A} :0@0 master,noaddr - 0 0 1 connected 0-5460`,
    [B]: `${B} 10.0.0.2:7000@17000 master - 0 0 2 connected 5461-10921`,
    [C]: `${C} 10.0.0.3:7000@17000 master - 0 0 3 connected 10922-16383`,
    [D]: `${D} 10.0.0.2:7001@17001 slave ${A} 0 0 1 connected`,
    [E]: `${E} :0@0 slave,noaddr ${B} 0 0 2 connected`,
  };
  return [B, C, D].map((self) => {
    const text = Object.entries(lines)
      .map(([nodeId, line]) => (nodeId === self ? line.replace(/ (master|slave)/, ' myself,$1') : line))
      .join('\n');
    const nodes = parseClusterNodes(text);
    return { nodeId: self, address: nodes.find((n) => n.myself)!.address, nodes, clusterInfo: { cluster_state: 'ok' } };
  });
}

const reading = (nodeId: string, valueMs: number | undefined): NodeTimeoutReading => ({ nodeId, address: `${nodeId.slice(0, 2)}:1`, valueMs });

describe('check(): a node id with no address', () => {
  it('reports a noaddr master that serves slots as an error that warns against failing over, and a noaddr replica as a warning', () => {
    const report = checkClusterState(new ClusterState(noaddrViews()));
    const noaddr = report.problems.filter((p) => p.code === 'node-noaddr');
    expect(noaddr.map((p) => [p.nodeId, p.severity])).toEqual([
      [A, 'error'],
      [E, 'warning'],
    ]);
    expect(report.ok).toBe(false);
    expect(noaddr[0]!.slots).toBe('0-5460');
    expect(noaddr[0]!.message).toMatch(/never fail it over/);
    expect(noaddr[0]!.message).toMatch(/Do not fail over to a replica that already resynced/);
    expect(noaddr[1]!.message).toContain(`forgetEverywhere("${E}")`);
  });
});

describe('cluster-node-timeout rules', () => {
  it('takes the value most nodes have; the fast-gossip value only with a strict majority; ties go to the larger value', () => {
    expect(intendedNodeTimeout([reading(A, 15000), reading(B, 15000), reading(C, 500)])).toBe(15000);
    expect(intendedNodeTimeout([reading(A, 500), reading(B, 500), reading(C, 15000), reading(D, 15000)])).toBe(15000);
    expect(intendedNodeTimeout([reading(A, 500), reading(B, 500), reading(C, 15000)])).toBe(500);
    expect(intendedNodeTimeout([reading(A, 5000), reading(B, 15000)])).toBe(15000);
    expect(intendedNodeTimeout([reading(A, undefined)])).toBeUndefined();
  });

  it('lists outliers and marks the ones at the fast-gossip value as left lowered', () => {
    expect(nodeTimeoutOutliers([reading(A, 15000), reading(B, 500), reading(C, 15000), reading(D, 3000), reading(E, undefined)])).toEqual([
      { nodeId: B, address: 'bb:1', valueMs: 500, intendedMs: 15000, leftLowered: true },
      { nodeId: D, address: 'dd:1', valueMs: 3000, intendedMs: 15000, leftLowered: false },
    ]);
  });

  it('check() reports a node left at 500 ms as an error, another odd value as a warning', () => {
    const state = new ClusterState(noaddrViews());
    const report = checkClusterState(state, { nodeTimeouts: [reading(B, 15000), reading(C, 500), reading(D, 15000)] });
    expect(report.problems.filter((p) => p.code === 'node-timeout-differs').map((p) => [p.nodeId, p.severity])).toEqual([[C, 'error']]);
    const odd = checkClusterState(state, { nodeTimeouts: [reading(B, 15000), reading(C, 9000), reading(D, 15000)] });
    expect(odd.problems.filter((p) => p.code === 'node-timeout-differs').map((p) => [p.nodeId, p.severity])).toEqual([[C, 'warning']]);
  });
});
