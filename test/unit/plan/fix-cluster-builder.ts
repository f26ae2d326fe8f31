import { ClusterState, SlotSet, parseClusterNodes, type NodeView } from '../../../src/index';
import { nodeId } from '../../helpers/state-builder';

/** One node of a literal cluster for fix-planner specs. Names are single letters; ids are the letter repeated. */
export interface SpecNode {
  name: string;
  epoch?: number;
  /** For a replica: its master's name. */
  of?: string;
  /** Flagged fail by the others; not reachable. */
  failed?: boolean;
  /** Not reachable (no view of its own). */
  unreachable?: boolean;
  /** Its own open-slot marks, e.g. ['100->b', '200<-c']. */
  marks?: string[];
}

export const id = (name: string): string => nodeId(name);

/**
 * A ClusterState from literal tables: `owners` maps slot ranges to a node name (the table every
 * view holds), `tables` overrides single views (view name -> slot range -> owner name or null).
 * A node claims exactly the slots its own table maps to itself, as in Redis.
 */
export function clusterOf(nodes: SpecNode[], owners: Record<string, string>, tables: Record<string, Record<string, string | null>> = {}): ClusterState {
  const base = new Map<number, string>();
  for (const [range, owner] of Object.entries(owners)) for (const slot of SlotSet.parse(range)) base.set(slot, owner);
  const views: NodeView[] = [];
  for (const self of nodes) {
    if (self.failed === true || self.unreachable === true) continue;
    const table = new Map(base);
    for (const [range, owner] of Object.entries(tables[self.name] ?? {})) {
      for (const slot of SlotSet.parse(range)) {
        if (owner === null) table.delete(slot);
        else table.set(slot, owner);
      }
    }
    const lines = nodes.map((node) => {
      const mine = node === self;
      const role = node.of === undefined ? 'master' : 'slave';
      const flags = [mine ? 'myself' : '', role, !mine && node.failed === true ? 'fail' : ''].filter((f) => f !== '').join(',');
      const slots = SlotSet.fromSlots([...table].filter(([, owner]) => owner === node.name).map(([slot]) => slot)).toString();
      const marks = mine ? (node.marks ?? []).map((mark) => `[${mark.replace(/(->|<-)(\w)$/, (_, arrow: string, peer: string) => `${arrow === '->' ? '->-' : '-<-'}${id(peer)}`)}]`) : [];
      const port = 7000 + nodes.indexOf(node);
      return [id(node.name), `127.0.0.1:${port}@${port + 10000}`, flags, node.of === undefined ? '-' : id(node.of), 0, 0, node.epoch ?? nodes.indexOf(node) + 1, 'connected', slots, ...marks]
        .join(' ')
        .trim();
    });
    views.push({ nodeId: id(self.name), address: `127.0.0.1:${7000 + nodes.indexOf(self)}`, nodes: parseClusterNodes(lines.join('\n')), clusterInfo: { cluster_state: 'ok' } });
  }
  return new ClusterState(views);
}

/** Evidence from literal counts: { a: { 100: 5 } }. */
export function keysOf(counts: Record<string, Record<number, number>>): { keys: Record<string, Record<string, number>> } {
  const keys: Record<string, Record<string, number>> = {};
  for (const [name, slots] of Object.entries(counts)) {
    keys[id(name)] = Object.fromEntries(Object.entries(slots).map(([slot, count]) => [slot, count]));
  }
  return { keys };
}
