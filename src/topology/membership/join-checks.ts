import { CommandFailedError, InvalidArgumentError } from '../../errors';
import { formatAddress, type NodeAddress } from '../../model/address';
import type { ClusterState } from '../../model/cluster-state';
import type { NodePool } from '../../net/node-pool';
import { preflight } from '../create-cluster';
import { NodeAlreadyMemberError, ProtectedModeError } from './errors';

/**
 * A node about to join: it must answer (not in protected mode), run with cluster-enabled,
 * not be a member already, and be empty (no keys, no slots, no other known nodes), as
 * redis-cli's add-node checks. Returns its node id. Sends only read-only commands.
 */
export async function checkJoiningNode(pool: NodePool, state: ClusterState, node: NodeAddress): Promise<string> {
  const address = formatAddress(node);
  try {
    const id = await pool.get(address).myId();
    const member = state.node(id);
    if (member !== undefined && !member.handshake) throw new NodeAlreadyMemberError(id, address, member.role);
    const occupant = state.nodes.find((other) => other.address === address && other.id !== id && !other.handshake);
    if (occupant !== undefined) {
      throw new InvalidArgumentError(
        'node',
        address,
        `the cluster still lists another node (${occupant.id}${occupant.failed ? ', failed' : ''}) at this address`,
        `Forget it first: topology.forgetEverywhere("${occupant.id}") (or failover.replaceNode for a dead node).`,
      );
    }
    await preflight(pool, [address]);
    return id;
  } catch (error) {
    throw translateJoinError(error, address);
  }
}

/** Pure: a `-DENIED` reply (protected mode) becomes ProtectedModeError; everything else passes through. */
export function translateJoinError(error: unknown, address: string): unknown {
  if (error instanceof CommandFailedError && error.reply.startsWith('DENIED')) return new ProtectedModeError(address);
  return error;
}
