import { describe, expect, it } from 'vitest';
import { ClusterState, findDisagreements, parseClusterNodes, type NodeView } from '../../../src/index';
import { checkClusterState } from '../../../src/topology/check-rules';

const id = (c: string): string => c.repeat(40);
const [A, B, C, D, E, F] = ['a', 'b', 'c', 'd', 'e', 'f'].map(id) as [string, string, string, string, string, string];

const LINES: Record<string, string> = {
  [A]: `${A} 10.0.0.1:7000@17000 master - 0 0 1 connected 0-5460`,
  [B]: `${B} 10.0.0.2:7000@17000 master - 0 0 2 connected 5461-10921`,
  [C]: `${C} 10.0.0.3:7000@17000 master - 0 0 3 connected 10922-16383`,
  [D]: `${D} 10.0.0.2:7001@17001 slave ${A} 0 0 1 connected`,
  [E]: `${E} 10.0.0.3:7001@17001 slave ${B} 0 0 2 connected`,
  [F]: `${F} 10.0.0.1:7001@17001 slave ${C} 0 0 3 connected`,
};

/** Every node's view of a healthy cluster, with optional per-view line overrides. */
function views(overrides: Record<string, Record<string, string | null>> = {}, state = 'ok'): NodeView[] {
  return Object.keys(LINES).map((self) => {
    const lines = Object.entries(LINES)
      .map(([nodeId, line]) => {
        const override = overrides[self]?.[nodeId];
        const text = override === undefined ? line : override;
        if (text === null) return null;
        return nodeId === self ? text.replace(/ (master|slave)/, ' myself,$1') : text;
      })
      .filter((line): line is string => line !== null);
    const nodes = parseClusterNodes(lines.join('\n'));
    return { nodeId: self, address: nodes.find((n) => n.myself)?.address ?? '', nodes, clusterInfo: { cluster_state: state } };
  });
}

const codes = (v: NodeView[]): string[] => checkClusterState(new ClusterState(v)).problems.map((p) => p.code);

describe('checkClusterState', () => {
  it('finds nothing wrong with a healthy 3x1 cluster spread over 3 hosts', () => {
    const report = checkClusterState(new ClusterState(views()));
    expect(report.ok).toBe(true);
    expect(report.problems).toEqual([]);
    expect(report.summary).toMatchObject({ masters: 3, replicas: 3, coveredSlots: 16384 });
  });

  it('reports an open slot with the node holding the mark and its direction', () => {
    const v = views({ [A]: { [A]: `${A} 10.0.0.1:7000@17000 master - 0 0 1 connected 0-5460 [7->-${B}]` } });
    const problem = checkClusterState(new ClusterState(v)).problems.find((p) => p.code === 'open-slot');
    expect(problem).toMatchObject({ nodeId: A, slots: '7', state: 'migrating', peerId: B, severity: 'error' });
  });

  it('reports uncovered slots', () => {
    const line = `${A} 10.0.0.1:7000@17000 master - 0 0 1 connected 0-5459`;
    const v = views(Object.fromEntries(Object.keys(LINES).map((k) => [k, { [A]: line }])));
    const report = checkClusterState(new ClusterState(v));
    expect(report.ok).toBe(false);
    expect(report.problems.find((p) => p.code === 'uncovered-slots')?.slots).toBe('5460');
  });

  it('reports slots that two masters claim, and the disagreement it causes', () => {
    const v = views({ [B]: { [B]: `${B} 10.0.0.2:7000@17000 master - 0 0 2 connected 5000-10921` } });
    const report = checkClusterState(new ClusterState(v));
    expect(report.problems.find((p) => p.code === 'slot-multiple-owners')).toMatchObject({ slots: '5000-5460', nodeIds: [A, B] });
    expect(codes(v)).toContain('config-disagreement');
  });

  it('groups overlapping claims by the set of claimants, as ranges', () => {
    const v = views({
      [B]: { [B]: `${B} 10.0.0.2:7000@17000 master - 0 0 2 connected 5000-10921 12000` },
      [C]: { [C]: `${C} 10.0.0.3:7000@17000 master - 0 0 3 connected 5200-5300 10922-16383` },
    });
    const claims = checkClusterState(new ClusterState(v))
      .problems.filter((p) => p.code === 'slot-multiple-owners')
      .map((p) => [p.slots, p.nodeIds]);
    expect(claims).toEqual([
      ['5000-5199 5301-5460', [A, B]],
      ['5200-5300', [A, B, C]],
      ['12000', [B, C]],
    ]);
  });

  it('reports failed and suspected nodes and unreachable addresses', () => {
    const failed = `${C} 10.0.0.3:7000@17000 master,fail - 0 0 3 disconnected 10922-16383`;
    const v = views(Object.fromEntries(Object.keys(LINES).map((k) => [k, { [C]: failed }]))).filter((view) => view.nodeId !== C);
    const state = new ClusterState(v, [{ address: '10.0.0.3:7000', nodeId: C, reason: 'connection refused' }]);
    const found = checkClusterState(state).problems.map((p) => p.code);
    expect(found).toContain('node-failed');
    expect(found).toContain('node-unreachable');
  });

  it('warns about a master without replica and a replica on its master\'s host, without failing the check', () => {
    const sameHost = `${D} 10.0.0.1:7001@17001 slave ${A} 0 0 1 connected`;
    const v = views(Object.fromEntries(Object.keys(LINES).map((k) => [k, { [D]: sameHost, [E]: null }]))).filter((view) => view.nodeId !== E);
    const report = checkClusterState(new ClusterState(v));
    expect(report.ok).toBe(true);
    expect(report.problems.find((p) => p.code === 'master-without-replica')?.nodeId).toBe(B);
    expect(report.problems.find((p) => p.code === 'replica-same-host')).toMatchObject({ nodeId: D, peerId: A, host: '10.0.0.1' });
  });

  it('reports nodes whose cluster_state is fail', () => {
    expect(codes(views({}, 'fail'))).toContain('cluster-state-fail');
  });
});

describe('findDisagreements', () => {
  it('is empty when all views agree', () => {
    expect(findDisagreements(views())).toEqual([]);
  });
  it('names the view that does not know a node yet, and nodes in handshake', () => {
    const v = views({ [A]: { [F]: null, [E]: `${E} 10.0.0.3:7001@17001 handshake - 0 0 0 connected` } });
    const text = findDisagreements(v).join('\n');
    expect(text).toMatch(/10\.0\.0\.1:7000 does not know .*ffffffff/);
    expect(text).toMatch(/still in handshake/);
  });
  it('names replicas whose master differs between views', () => {
    const v = views({ [B]: { [D]: `${D} 10.0.0.2:7001@17001 slave ${C} 0 0 1 connected` } });
    expect(findDisagreements(v).join('\n')).toMatch(/dddddddd replicates/);
  });
  it('names a node whose role differs between views (a failover not yet seen everywhere)', () => {
    const v = views({ [C]: { [A]: `${A} 10.0.0.1:7000@17000 slave ${D} 0 0 1 connected` } });
    expect(findDisagreements(v).join('\n')).toMatch(/aaaaaaaa as replica, 10\.0\.0\.1:7000 as master/);
  });
  it('compares slot owners by range: a moved slot is found and counted, equal tables are not', () => {
    const moved = views({ [B]: { [A]: `${A} 10.0.0.1:7000@17000 master - 0 0 1 connected 0-5459`, [B]: `${B} 10.0.0.2:7000@17000 master - 0 0 2 connected 5460-10921` } });
    expect(findDisagreements(moved).join('\n')).toMatch(/disagree on the owner of 1 slot\(s\), e\.g\. slot 5460/);
  });
  it('with requireHealthy, waits until no view flags an answering member fail or fail?', () => {
    const suspected = views({ [A]: { [E]: `${E} 10.0.0.3:7001@17001 slave,fail? ${B} 0 0 2 connected` } });
    expect(findDisagreements(suspected)).toEqual([]);
    expect(findDisagreements(suspected, { requireHealthy: true }).join('\n')).toMatch(/flags eeeeeeee fail\?/);
  });
  it('can require every view to report cluster_state:ok and a node to be gone', () => {
    expect(findDisagreements(views({}, 'fail'), { requireStateOk: true }).length).toBe(6);
    expect(findDisagreements(views(), { expectGoneIds: [F] }).length).toBe(6);
  });
});
