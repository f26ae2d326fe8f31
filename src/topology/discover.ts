import { AuthenticationError, ClusterOpsError, MalformedReplyError, NodeUnreachableError, NotClusterNodeError } from '../errors';
import { formatAddress, type NodeAddress } from '../model/address';
import { ClusterState } from '../model/cluster-state';
import type { NodeView, UnreachableNode } from '../model/node-view';
import type { NodePool } from '../net/node-pool';

/** Queries one node for its view (CLUSTER NODES + CLUSTER INFO, in flight together). */
export async function queryView(pool: NodePool, address: NodeAddress | string): Promise<NodeView> {
  const client = pool.get(address);
  const [nodes, clusterInfo, capabilities] = await Promise.all([
    client.clusterNodes(),
    client.clusterInfo(),
    // Once per connection; a server whose INFO is renamed away still has a view, without a version.
    client.capabilitiesIfKnown(),
  ]);
  const self = nodes.find((node) => node.myself);
  const server = capabilities === undefined ? undefined : { kind: capabilities.kind, version: capabilities.version, redisCompatibleVersion: capabilities.redisCompatibleVersion };
  return { nodeId: self?.id ?? '', address: client.address, nodes, clusterInfo, ...(server === undefined ? {} : { server }) };
}

/**
 * Builds a ClusterState: asks the seeds, then every node they name, until no new address
 * appears. Nodes that cannot be reached are listed, not fatal; wrong credentials or a node
 * without cluster support are (they are configuration errors, not outages). `fallback`
 * addresses are tried when no seed answers.
 */
export async function discoverCluster(pool: NodePool, seeds: readonly NodeAddress[], fallback: readonly string[] = []): Promise<ClusterState> {
  const views = new Map<string, NodeView>();
  const failures = new Map<string, string>();
  const asked = new Set<string>();

  const ask = async (addresses: readonly string[]): Promise<void> => {
    const fresh = addresses.filter((address) => !asked.has(address));
    fresh.forEach((address) => asked.add(address));
    await Promise.all(
      fresh.map(async (address) => {
        try {
          const view = await queryView(pool, address);
          if (!views.has(view.nodeId)) views.set(view.nodeId, view);
        } catch (error) {
          if (error instanceof AuthenticationError || error instanceof NotClusterNodeError || error instanceof MalformedReplyError) throw error;
          failures.set(address, error instanceof ClusterOpsError || error instanceof Error ? error.message : String(error));
        }
      }),
    );
  };
  const namedAddresses = (): string[] => {
    const result: string[] = [];
    for (const view of views.values()) {
      for (const node of view.nodes) {
        if (!node.handshake && node.host !== '' && node.port > 0 && !node.flags.includes('noaddr')) result.push(node.address);
      }
    }
    return result;
  };

  await ask(seeds.map(formatAddress));
  if (views.size === 0 && fallback.length > 0) await ask(fallback);
  if (views.size === 0) {
    const reasons = [...failures].map(([address, reason]) => `${address}: ${reason}`).join('; ');
    throw new NodeUnreachableError(seeds.map(formatAddress).join(', ') || '(no seeds)', `no seed answered (${reasons || 'none given'})`);
  }
  for (let round = 0; round < 8; round++) {
    const before = asked.size;
    await ask(namedAddresses());
    if (asked.size === before) break;
  }

  const members = dropStrangers([...views.values()]);
  const memberIds = new Set(members.map((view) => view.nodeId));
  const knownAddresses = new Map<string, string>();
  for (const view of members) for (const node of view.nodes) knownAddresses.set(node.address, node.id);
  const unreachable: UnreachableNode[] = [];
  for (const [address, reason] of failures) {
    const nodeId = knownAddresses.get(address);
    if (nodeId !== undefined && memberIds.has(nodeId)) continue;
    // An address no member lists (a seed that was removed, or a typo) is not a member that is down.
    if (nodeId === undefined) continue;
    unreachable.push(nodeId === undefined ? { address, reason } : { address, nodeId, reason });
  }
  return new ClusterState(members, unreachable);
}

/**
 * Drops views of nodes that no other answering node lists: a node that was forgotten and
 * reset, or a seed from another cluster. With a single view there is nothing to compare.
 */
function dropStrangers(views: readonly NodeView[]): NodeView[] {
  if (views.length < 2) return [...views];
  const listedBy = (id: string): number => views.filter((view) => view.nodeId !== id && view.nodes.some((node) => node.id === id && !node.handshake)).length;
  const members = views.filter((view) => listedBy(view.nodeId) > 0);
  return members.length > 0 ? members : [...views];
}
