import { CommandFailedError, InvalidArgumentError, NodeNotEmptyError } from '../../errors';
import { formatAddress, type NodeAddress } from '../../model/address';
import type { ClusterState } from '../../model/cluster-state';
import type { NodePool } from '../../net/node-pool';
import { preflight } from '../create-cluster';
import { NodeAlreadyMemberError, ProtectedModeError } from './errors';

/**
 * A node about to join: it must answer (not in protected mode), run with cluster-enabled,
 * not be a member already, and be empty (no keys, no slots, no other known nodes), as
 * redis-cli's add-node checks. A node that only knows members of this cluster (an addNode cut
 * short after MEET) may resume its join. Returns its node id. Sends only read-only commands.
 */
export async function checkJoiningNode(pool: NodePool, state: ClusterState, node: NodeAddress): Promise<string> {
  const address = formatAddress(node);
  try {
    const client = pool.get(address);
    const id = await client.myId();
    // A member every node knows is refused; one only some know (a join cut short) may resume.
    const member = state.node(id);
    const knownByAll = state.views.every((view) => view.nodes.some((line) => line.id === id && !line.handshake));
    if (member !== undefined && !member.handshake && knownByAll) throw new NodeAlreadyMemberError(id, address, member.role);
    const occupant = state.nodes.find((other) => other.address === address && other.id !== id && !other.handshake);
    if (occupant !== undefined) {
      throw new InvalidArgumentError(
        'node',
        address,
        `the cluster still lists another node (${occupant.id}${occupant.failed ? ', failed' : ''}) at this address`,
        `Forget it first: topology.forgetEverywhere("${occupant.id}") (or failover.replaceNode for a dead node).`,
      );
    }
    try {
      await preflight(pool, [address]);
    } catch (error) {
      if (!(error instanceof NodeNotEmptyError && error.reason === 'knows-other-nodes')) throw error;
      await assertResumableJoin(pool, state, address, error);
    }
    return id;
  } catch (error) {
    throw translateJoinError(error, address);
  }
}

/** The node knows other nodes: fine only if all are members of this cluster and it is otherwise empty. */
async function assertResumableJoin(pool: NodePool, state: ClusterState, address: string, refusal: NodeNotEmptyError): Promise<void> {
  const client = pool.get(address);
  const [view, keys] = await Promise.all([client.clusterNodes(), client.dbsize()]);
  // Entries in handshake carry a random id: judge them by address.
  const strangers = view.filter((line) => !line.myself && (line.handshake ? state.node(line.address) === undefined : state.node(line.id) === undefined));
  if (strangers.length > 0) throw refusal;
  if (keys > 0) throw new NodeNotEmptyError(address, 'keys', `it holds ${keys} key(s)`);
  const self = view.find((line) => line.myself);
  if (self !== undefined && self.slots.size > 0) throw new NodeNotEmptyError(address, 'slots', `it already serves ${self.slots.size} slot(s)`);
}

/** Pure: a `-DENIED` reply (protected mode) becomes ProtectedModeError; everything else passes through. */
export function translateJoinError(error: unknown, address: string): unknown {
  if (error instanceof CommandFailedError && error.reply.startsWith('DENIED')) return new ProtectedModeError(address);
  return error;
}
