import type { NodeInfo, NodeServer } from './node-info';

/** What one reachable node says about the cluster: its CLUSTER NODES and CLUSTER INFO. */
export interface NodeView {
  /** The id of the node that answered (its `myself` line). */
  nodeId: string;
  /** The address we reached it at (`host:port`, as announced, before any natMap). */
  address: string;
  /** Its CLUSTER NODES reply, parsed. */
  nodes: NodeInfo[];
  /** Its CLUSTER INFO reply, parsed (`cluster_state`, `cluster_current_epoch`...). */
  clusterInfo: Record<string, string>;
  /** What the node runs (its INFO server), when it could say. */
  server?: NodeServer;
  /**
   * Its `cluster-node-timeout` (CONFIG GET), read in the same round as the rest by check();
   * undefined when CONFIG is refused or renamed, absent when not asked.
   */
  nodeTimeoutMs?: number | undefined;
}

/** An address we could not query, with the reason (already free of secrets). */
export interface UnreachableNode {
  address: string;
  nodeId?: string;
  reason: string;
}

/** The line a view has about itself. */
export function selfLine(view: NodeView): NodeInfo | undefined {
  return view.nodes.find((node) => node.myself);
}
