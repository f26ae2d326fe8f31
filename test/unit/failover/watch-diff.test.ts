import { describe, expect, it } from 'vitest';
import { diffSnapshots, mastersWithoutReplicas, snapshotOf, type WatchEvent, type WatchSnapshot } from '../../../src/index';
import { healthyCluster, idOf, stateOf, type FixtureNode } from '../membership/state-fixture';

const PORTS: Record<string, number> = { a: 7001, b: 7002, c: 7003, d: 7004, e: 7005, f: 7006, g: 7007 };
const withPorts = (nodes: FixtureNode[]): FixtureNode[] => nodes.map((n) => ({ ...n, port: PORTS[n.name] as number }));
const snap = (nodes: FixtureNode[], at = 1000): WatchSnapshot => snapshotOf(stateOf(withPorts(nodes), at));
const change = (name: string, patch: Partial<FixtureNode>, base = healthyCluster()): FixtureNode[] => base.map((n) => (n.name === name ? { ...n, ...patch } : n));
const names = (events: WatchEvent[]): string[] => events.map((e) => `${e.name}:${'nodeId' in e.payload ? e.payload.nodeId.slice(0, 2) : ''}`);
const short = (name: string): string => idOf(name).slice(0, 2);

describe('diffSnapshots (the pure half of watch())', () => {
  it('reports nothing between two identical healthy snapshots, and nothing on a healthy first snapshot', () => {
    expect(diffSnapshots(snap(healthyCluster()), snap(healthyCluster(), 2000))).toEqual([]);
    expect(diffSnapshots(undefined, snap(healthyCluster()))).toEqual([]);
  });

  it('follows a master through pfail, fail, promotion of its replica and recovery as a replica', () => {
    const healthy = snap(healthyCluster(), 1000);
    const suspected = snap(change('a', { flag: 'fail?', down: true }), 2000);
    const failed = snap(change('a', { flag: 'fail' }), 3000);

    let events = diffSnapshots(healthy, suspected);
    expect(names(events)).toEqual([`node-pfail:${short('a')}`]);
    expect(events[0]?.payload).toMatchObject({ nodeId: idOf('a'), role: 'master', from: 'ok', reporters: 5, at: 2000 });

    events = diffSnapshots(suspected, failed);
    expect(names(events)).toEqual([`node-fail:${short('a')}`]);
    expect(events[0]?.payload).toMatchObject({ from: 'pfail' });

    // d (replica of a) is promoted and takes a's slots; a is still down: d has no replica.
    const promotedNodes = change('d', { role: 'master', of: undefined, slots: '0-5460', epoch: 7 }, change('a', { flag: 'fail', slots: undefined }));
    const promoted = snap(promotedNodes, 4000);
    events = diffSnapshots(failed, promoted);
    expect(names(events)).toEqual([`replica-promoted:${short('d')}`, `master-without-replicas:${short('d')}`]);
    expect(events[0]?.payload).toMatchObject({ nodeId: idOf('d'), previousMasterId: idOf('a'), configEpoch: 7, slots: '0-5460' });
    expect(events[1]?.payload).toMatchObject({ nodeId: idOf('d'), slots: '0-5460' });

    // a comes back and turns into d's replica.
    const back = snap(change('a', { flag: undefined, down: false, role: 'replica', of: 'd', slots: undefined }, promotedNodes.map((n) => (n.name === 'a' ? { ...n } : n))), 5000);
    events = diffSnapshots(promoted, back);
    expect(names(events)).toEqual([`node-recovered:${short('a')}`, `master-demoted:${short('a')}`]);
    expect(events[0]?.payload).toMatchObject({ from: 'fail' });
    expect(events[1]?.payload).toMatchObject({ masterId: idOf('d') });
  });

  it('goes straight from ok to fail when a poll missed the pfail phase', () => {
    const events = diffSnapshots(snap(healthyCluster()), snap(change('e', { flag: 'fail' })));
    expect(names(events)).toEqual([`node-fail:${short('e')}`, `master-without-replicas:${short('b')}`]);
  });

  it('reports a master left without replicas once, not on every poll', () => {
    const lonely = change('e', { flag: 'fail' });
    expect(names(diffSnapshots(snap(lonely), snap(lonely, 2000)))).toEqual([]);
  });

  it('on the first snapshot, reports the trouble already there', () => {
    const events = diffSnapshots(undefined, snap(change('e', { flag: 'fail' })));
    expect(names(events)).toEqual([`node-fail:${short('e')}`, `master-without-replicas:${short('b')}`]);
  });

  it('reports nodes joining and leaving; a node added as master then made a replica is not "demoted"', () => {
    const withG = [...healthyCluster(), { name: 'g', host: '10.0.0.1', role: 'master' as const }];
    const joined = diffSnapshots(snap(healthyCluster()), snap(withG));
    expect(names(joined)).toEqual([`node-joined:${short('g')}`]);
    const asReplica = withG.map((n) => (n.name === 'g' ? { ...n, role: 'replica' as const, of: 'b' } : n));
    expect(diffSnapshots(snap(withG), snap(asReplica))).toEqual([]);
    const left = diffSnapshots(snap(asReplica), snap(healthyCluster()));
    expect(names(left)).toEqual([`node-left:${short('g')}`]);
  });

  it('mastersWithoutReplicas ignores empty and failed masters', () => {
    const nodes: FixtureNode[] = [...change('f', { flag: 'fail' }), { name: 'g', host: '10.0.0.4', role: 'master' }];
    expect([...mastersWithoutReplicas(snap(nodes))]).toEqual([idOf('c')]);
    const deadMaster = change('a', { flag: 'fail' }, change('d', { flag: 'fail' }));
    expect([...mastersWithoutReplicas(snap(deadMaster))]).toEqual([]);
  });

  it('snapshots are plain, serializable data', () => {
    const snapshot = snap(healthyCluster());
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual(snapshot);
  });
});
