import { ClusterState, parseClusterNodes, type NodeView } from '../../../src/index';

/** A node of a literal test cluster. */
export interface FixtureNode {
  /** A short name; idOf() turns it into a 40-hex-char id. */
  name: string;
  host: string;
  port?: number;
  role: 'master' | 'replica';
  /** For a replica: its master's name. */
  of?: string;
  /** Slots, CLUSTER NODES form ('0-5460'). */
  slots?: string;
  /** Flagged by every other view: 'fail' (agreed) or 'fail?' (suspected). */
  flag?: 'fail' | 'fail?';
  /** We cannot query it (its own view is missing). @default false when flagged fail */
  down?: boolean;
  epoch?: number;
}

export const idOf = (name: string): string => Buffer.from(name).toString('hex').repeat(40).slice(0, 40);

let portCounter = 7000;

/** Builds the ClusterState that CLUSTER NODES from every reachable node would give. */
export function stateOf(nodes: readonly FixtureNode[], takenAt = 1_000): ClusterState {
  const ports = new Map(nodes.map((node) => [node.name, node.port ?? portCounter++]));
  const line = (node: FixtureNode, self: boolean): string => {
    const port = ports.get(node.name) as number;
    const flags = [self ? 'myself' : '', node.role === 'master' ? 'master' : 'slave', !self && node.flag !== undefined ? node.flag : ''].filter((f) => f !== '').join(',');
    const master = node.role === 'replica' && node.of !== undefined ? idOf(node.of) : '-';
    return `${idOf(node.name)} ${node.host}:${port}@${port + 10000} ${flags} ${master} 0 0 ${node.epoch ?? 1} connected${node.slots === undefined ? '' : ` ${node.slots.split(' ').join(' ')}`}`;
  };
  const views: NodeView[] = nodes
    .filter((node) => !(node.down ?? node.flag === 'fail'))
    .map((self) => {
      const parsed = parseClusterNodes(nodes.map((node) => line(node, node === self)).join('\n'));
      return { nodeId: idOf(self.name), address: `${self.host}:${ports.get(self.name)}`, nodes: parsed, clusterInfo: { cluster_state: 'ok', cluster_current_epoch: '9' } };
    });
  return new ClusterState(views, [], takenAt);
}

/** 3 hosts, 3 masters each with one replica on the next host. */
export function healthyCluster(): FixtureNode[] {
  return [
    { name: 'a', host: '10.0.0.1', role: 'master', slots: '0-5460', epoch: 1 },
    { name: 'b', host: '10.0.0.2', role: 'master', slots: '5461-10922', epoch: 2 },
    { name: 'c', host: '10.0.0.3', role: 'master', slots: '10923-16383', epoch: 3 },
    { name: 'd', host: '10.0.0.2', role: 'replica', of: 'a' },
    { name: 'e', host: '10.0.0.3', role: 'replica', of: 'b' },
    { name: 'f', host: '10.0.0.1', role: 'replica', of: 'c' },
  ];
}
