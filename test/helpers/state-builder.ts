import { ClusterState, parseClusterNodes, type NodeView } from '../../src/index';

export interface FakeNode {
  id: string;
  host?: string;
  port: number;
  slots?: string;
  /** For a replica: its master's id. */
  of?: string;
  flags?: string;
}

/** A 40-char node id from a short name: nodeId('a') = 'aaaa...'. */
export const nodeId = (name: string): string => name.repeat(Math.ceil(40 / name.length)).slice(0, 40);

/** A ClusterState where every node sees the same CLUSTER NODES (a healthy, agreed cluster). */
export function stateOf(nodes: readonly FakeNode[]): ClusterState {
  const line = (node: FakeNode, self: boolean): string => {
    const role = node.of === undefined ? 'master' : 'slave';
    const flags = [self ? 'myself' : '', role, node.flags ?? ''].filter((f) => f !== '').join(',');
    return `${node.id} ${node.host ?? '127.0.0.1'}:${node.port}@${node.port + 10000} ${flags} ${node.of ?? '-'} 0 0 1 connected ${node.slots ?? ''}`.trim();
  };
  const views: NodeView[] = nodes.map((self) => {
    const parsed = parseClusterNodes(nodes.map((node) => line(node, node === self)).join('\n'));
    return { nodeId: self.id, address: `${self.host ?? '127.0.0.1'}:${self.port}`, nodes: parsed, clusterInfo: { cluster_state: 'ok' } };
  });
  return new ClusterState(views);
}
