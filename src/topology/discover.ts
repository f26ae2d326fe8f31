import {
  AuthenticationError,
  ClusterOpsError,
  MalformedReplyError,
  NodeUnreachableError,
  NotClusterNodeError,
  NotRedisError,
  PermissionDeniedError,
} from '../errors';
import { formatAddress, type NodeAddress } from '../model/address';
import { ClusterState } from '../model/cluster-state';
import type { NodeView, UnreachableNode } from '../model/node-view';
import type { NodePool } from '../net/node-pool';

/** Queries one node for its view (CLUSTER NODES + CLUSTER INFO, in flight together). */
export async function queryView(pool: NodePool, address: NodeAddress | string): Promise<NodeView> {
  const client = pool.get(address);
  const [nodes, clusterInfo, capabilities] = await Promise.allSettled([
    client.clusterNodes(),
    client.clusterInfo(),
    // Once per connection; a server whose INFO is renamed away still has a view, without a version.
    client.capabilitiesIfKnown(),
  ]);
  if (nodes.status === 'rejected' || clusterInfo.status === 'rejected') {
    const denied = [nodes, clusterInfo].flatMap((result) => (result.status === 'rejected' && result.reason instanceof PermissionDeniedError ? [result.reason] : []));
    // Both commands refused: one error that names both, so one ACL SETUSER grants what discovery needs.
    if (denied.length === 2) throw new PermissionDeniedError(client.address, denied[0]!.username, [...new Set(denied.flatMap((error) => error.commands))]);
    throw nodes.status === 'rejected' ? nodes.reason : (clusterInfo as PromiseRejectedResult).reason;
  }
  const self = nodes.value.find((node) => node.myself);
  const known = capabilities.status === 'fulfilled' ? capabilities.value : undefined;
  const server = known === undefined ? undefined : { kind: known.kind, version: known.version, redisCompatibleVersion: known.redisCompatibleVersion };
  return { nodeId: self?.id ?? '', address: client.address, nodes: nodes.value, clusterInfo: clusterInfo.value, ...(server === undefined ? {} : { server }) };
}

/** Errors that say the SDK is configured wrong for a node, not that the node is down. */
function isConfigurationError(error: unknown): boolean {
  return (
    error instanceof AuthenticationError ||
    error instanceof PermissionDeniedError ||
    error instanceof NotClusterNodeError ||
    error instanceof MalformedReplyError ||
    error instanceof NotRedisError
  );
}

/**
 * Builds a ClusterState: asks the seeds (all at once) and goes on as soon as the first one
 * answers, then asks every node the answers name, until no new address appears. A seed that no
 * member names is not waited for: a silent or foreign address costs nothing once the cluster is
 * known. Members that cannot be reached are listed, not fatal; a member with wrong credentials,
 * missing ACL permissions or no cluster support is (a configuration error, not an outage).
 * `fallback` addresses are tried when no seed answers.
 */
export async function discoverCluster(pool: NodePool, seeds: readonly NodeAddress[], fallback: readonly string[] = []): Promise<ClusterState> {
  const views = new Map<string, NodeView>();
  const failures = new Map<string, unknown>();
  const queries = new Map<string, Promise<void>>();

  const query = (address: string): Promise<void> => {
    let running = queries.get(address);
    if (running === undefined) {
      running = queryView(pool, address).then(
        (view) => {
          if (!views.has(view.nodeId)) views.set(view.nodeId, view);
        },
        (error: unknown) => {
          failures.set(address, error);
        },
      );
      queries.set(address, running);
    }
    return running;
  };
  /** Resolves when one of the addresses answered, or all of them failed. */
  const firstAnswer = async (addresses: readonly string[]): Promise<void> => {
    const pending = addresses.map(query);
    await new Promise<void>((resolve) => {
      let left = pending.length;
      if (left === 0) resolve();
      for (const running of pending) {
        void running.then(() => {
          left -= 1;
          if (views.size > 0 || left === 0) resolve();
        });
      }
    });
  };
  const namedAddresses = (): string[] => {
    const result = new Set<string>();
    for (const view of views.values()) {
      for (const node of view.nodes) {
        if (!node.handshake && node.host !== '' && node.port > 0 && !node.flags.includes('noaddr')) result.add(node.address);
      }
    }
    return [...result];
  };

  const seedAddresses = [...new Set(seeds.map(formatAddress))];
  await firstAnswer(seedAddresses);
  if (views.size === 0 && fallback.length > 0) await firstAnswer(fallback.filter((address) => !queries.has(address)));
  if (views.size === 0) throw noSeedAnswered(seedAddresses, [...failures]);

  // Every member is asked, and waited for (a seed still in flight too, when it is a member).
  for (let round = 0; round < 8; round++) {
    const named = namedAddresses();
    const before = queries.size;
    await Promise.all(named.map(query));
    if (queries.size === before && named.every((address) => queries.has(address))) break;
  }

  const members = dropStrangers([...views.values()]);
  const memberIds = new Set(members.map((view) => view.nodeId));
  const knownAddresses = new Map<string, string>();
  for (const view of members) for (const node of view.nodes) knownAddresses.set(node.address, node.id);
  const unreachable: UnreachableNode[] = [];
  for (const [address, error] of failures) {
    const nodeId = knownAddresses.get(address);
    // An address no member lists (a seed that was removed, a typo, another service) is not a member that is down.
    if (nodeId === undefined || memberIds.has(nodeId)) continue;
    if (isConfigurationError(error)) throw error;
    unreachable.push({ address, nodeId, reason: describeFailure(error) });
  }
  return new ClusterState(members, unreachable);
}

/** A reason without advice, fit to be listed inside another message. */
function describeFailure(error: unknown): string {
  if (error instanceof NodeUnreachableError) return error.reason;
  return error instanceof Error ? error.message : String(error);
}

/**
 * The error when no seed answered: a configuration error as it is (it says what to fix); one
 * seed's own error as it is; otherwise every seed's reason, and each distinct advice once.
 */
function noSeedAnswered(seeds: readonly string[], failures: readonly [string, unknown][]): ClusterOpsError {
  const configuration = failures.find(([, error]) => isConfigurationError(error));
  if (configuration !== undefined) return configuration[1] as ClusterOpsError;
  if (failures.length === 1 && failures[0]![1] instanceof ClusterOpsError) return failures[0]![1];
  const reasons = failures.map(([address, error]) => `${address}: ${describeFailure(error)}`).join('; ');
  const advice = [...new Set(failures.flatMap(([, error]) => (error instanceof NodeUnreachableError ? [error.advice] : [])))];
  return new NodeUnreachableError(seeds.join(', ') || '(no seeds)', `no seed answered (${reasons || 'none given'})`, advice.length > 0 ? { advice: advice.join(' ') } : {});
}

/**
 * Drops views of nodes that no other answering node lists: a node that was forgotten and
 * reset, or a seed from another cluster. With a single view there is nothing to compare.
 */
function dropStrangers(views: readonly NodeView[]): NodeView[] {
  if (views.length < 2) return [...views];
  // One pass over every line (views x nodes), not a search of every view per view.
  const listed = new Set<string>();
  for (const view of views) {
    for (const node of view.nodes) if (node.id !== view.nodeId && !node.handshake) listed.add(node.id);
  }
  const members = views.filter((view) => listed.has(view.nodeId));
  return members.length > 0 ? members : [...views];
}
