import { describe, expect, it } from 'vitest';
import { parseClusterNodes, type NodeView } from '../../../src/index';
import { staleViews } from '../../../src/topology/membership/stale-views';
import { nodeId, stateOf } from '../../helpers/state-builder';

const a = nodeId('a');
const b = nodeId('b');
const c = nodeId('c');

/** A view of `self` listing every line as given (the self line gets `myself`). */
function viewOf(self: string, port: number, lines: Record<string, string>): NodeView {
  const text = Object.entries(lines)
    .map(([id, rest]) => `${id} 127.0.0.1:${rest.split(' ')[0]}@1 ${id === self ? 'myself,' : ''}${rest.split(' ').slice(1).join(' ')}`)
    .join('\n');
  return { nodeId: self, address: `127.0.0.1:${port}`, nodes: parseClusterNodes(text), clusterInfo: { cluster_state: 'fail' } };
}

describe('staleViews', () => {
  it('is empty when every view agrees with each node about itself', () => {
    const state = stateOf([
      { id: a, port: 7000, slots: '0-8191' },
      { id: b, port: 7001, slots: '8192-16383' },
      { id: c, port: 7002, of: a },
    ]);
    expect(staleViews(state.views)).toEqual([]);
  });

  it('names who must tell whom: an unheard role change and unheard slots', () => {
    const own = {
      [a]: '7000 master - 0 0 1 connected 0-8191',
      [b]: '7001 master - 0 0 2 connected 8192-16383',
      [c]: `7002 slave ${a} 0 0 3 connected`,
    };
    const views = [
      viewOf(a, 7000, { ...own, [c]: '7002 master - 0 0 3 connected' }),
      viewOf(b, 7001, own),
      viewOf(c, 7002, { ...own, [b]: '7001 master - 0 0 2 connected' }),
    ];
    expect(staleViews(views)).toEqual([
      { viewer: '127.0.0.1:7000', subject: c },
      { viewer: '127.0.0.1:7002', subject: b },
    ]);
  });

  it('leaves out nodes in handshake and nodes that did not answer (no line of their own to compare)', () => {
    const views = [
      viewOf(a, 7000, { [a]: '7000 master - 0 0 1 connected 0-16383', [b]: '7001 handshake - 0 0 0 connected', [c]: '7002 master - 0 0 0 connected' }),
    ];
    expect(staleViews(views)).toEqual([]);
  });
});
