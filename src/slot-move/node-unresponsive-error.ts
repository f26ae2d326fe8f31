import { ClusterOpsError } from '../errors';

/**
 * A node of a slot move stopped answering (a MIGRATE to it timed out, then a short PING got no reply):
 * no further MIGRATE is sent to it, so its peer is not blocked again. `role` says which side it was.
 */
export class NodeUnresponsiveError extends ClusterOpsError {
  readonly address: string;
  readonly role: 'source' | 'target';
  readonly slot: number;

  constructor(address: string, role: 'source' | 'target', slot: number, probeTimeoutMs: number, options: { cause?: unknown } = {}) {
    super(
      'ERR_NODE_UNRESPONSIVE',
      `The ${role} node ${address} stopped answering while slot ${slot} moved: a MIGRATE timed out and a PING got no reply within ${probeTimeoutMs} ms, ` +
        `so no further MIGRATE was sent to it. Check the node (frozen or overloaded process, full disk, network); once it answers, ` +
        `run topology.fix() and then execute a new plan (or the same plan if every node of it is still a master).`,
      { cause: options.cause, details: { address, role, slot, probeTimeoutMs } },
    );
    this.address = address;
    this.role = role;
    this.slot = slot;
  }
}
