import { InvalidArgumentError } from '../errors';

const NODE_ID = /^[0-9a-f]{40}$/;
const ADDRESS = /^(\[[^\]]+\]|[^:\s]+):\d+$/;

/** True for a well-formed node id: 40 lowercase hex characters. */
export function isNodeId(value: unknown): value is string {
  return typeof value === 'string' && NODE_ID.test(value);
}

/**
 * A 40-character lowercase hex node id, or InvalidArgumentError naming the argument. The rule
 * everywhere: a malformed id is bad input (ERR_INVALID_ARGUMENT, refused before anything is
 * sent); a well-formed id the cluster does not know is UnknownNodeError (ERR_UNKNOWN_NODE).
 */
export function assertNodeId(value: unknown, argument: string): string {
  if (!isNodeId(value)) {
    throw new InvalidArgumentError(argument, value, 'not a node id (40 lowercase hex characters)', 'Use an id from (await topology.refresh()).nodes, e.g. nodes[0].id.');
  }
  return value;
}

/** A node id or a `host:port` address (for calls that take either), or InvalidArgumentError, by the same rule as assertNodeId. */
export function assertNodeRef(value: unknown, argument: string): string {
  if (typeof value !== 'string' || (!NODE_ID.test(value) && !ADDRESS.test(value))) {
    throw new InvalidArgumentError(argument, value, 'neither a node id (40 lowercase hex characters) nor a host:port address', 'Use an id or an address from (await topology.refresh()).nodes.');
  }
  return value;
}
