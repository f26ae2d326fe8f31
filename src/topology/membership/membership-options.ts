import { InvalidArgumentError } from '../../errors';
import { throwIfAborted } from '../../util/abort';

/** Options every membership operation accepts. */
export interface MembershipWaitOptions {
  /**
   * How long to wait for the cluster to agree after the change.
   * @defaultValue the topology's convergenceTimeoutMs (30000)
   */
  timeoutMs?: number;
  /** Aborts the wait (the change already sent stays sent). */
  signal?: AbortSignal;
}

export interface AddNodeCommonOptions extends MembershipWaitOptions {
  /**
   * Lower the new node's cluster-node-timeout to 500 ms while it joins, and restore its own
   * value before addNode returns. It then pings every peer every 250 ms: it learns every
   * master's slots at once, a new master turns cluster_state:ok (usable as a migration target)
   * after Redis's rejoin delay of 0.5 s instead of min(cluster-node-timeout, 5 s), and a new
   * replica's role reaches every node without waiting on random gossip.
   * @defaultValue true
   */
  fastJoin?: boolean;
}

export interface AddMasterOptions extends AddNodeCommonOptions {
  as: 'master';
}

export interface AddReplicaOptions extends AddNodeCommonOptions {
  as: 'replica';
  /** The master to replicate. @defaultValue the master with the fewest replicas, on another host if any */
  of?: string;
  /**
   * Also wait until the replica's link to its master is up (first sync done).
   * @defaultValue true
   */
  awaitSync?: boolean;
}

export type AddNodeOptions = AddMasterOptions | AddReplicaOptions;

export interface RemoveNodeOptions extends MembershipWaitOptions {
  /**
   * After every other node forgot it, shut the removed node down (SHUTDOWN). Otherwise it is
   * left running, reset (CLUSTER RESET SOFT) so it does not rejoin.
   * @defaultValue false
   */
  shutdown?: boolean;
}

export interface ForgetOptions extends MembershipWaitOptions {
  /**
   * Forget a node that still answers. A live node forgotten by the others still believes it is
   * a member; removeNode() forgets and then resets it, which is what you want for a live node.
   * @defaultValue false
   */
  allowLive?: boolean;
}

export interface ReplicateOptions extends MembershipWaitOptions {
  /**
   * Also wait until the replica's link to its new master is up (sync done).
   * @defaultValue true
   */
  awaitSync?: boolean;
  /**
   * Lower the replica's cluster-node-timeout to 500 ms until every node knows its new master
   * (the others learn it from the replica's own pings), then restore its own value.
   * @defaultValue true
   */
  fastGossip?: boolean;
}

export const DEFAULT_MEMBERSHIP_OPTIONS = Object.freeze({
  fastJoin: true,
  fastGossip: true,
  awaitSync: true,
  shutdown: false,
  allowLive: false,
} as const);

/** CLUSTER FORGET bans an id for 60 s: every node must forget it well within that window. */
export const FORGET_BAN_MS = 60_000;

/** Node ids are checked by one rule everywhere (see model/node-id). */
export { assertNodeId } from '../../model/node-id';

export function assertWaitOptions(options: MembershipWaitOptions | undefined, operation: string): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object') {
    throw new InvalidArgumentError('options', options, `not an options object for ${operation}`, 'Pass an object, e.g. { timeoutMs: 30000 }.');
  }
  if (options.timeoutMs !== undefined && (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0)) {
    throw new InvalidArgumentError('timeoutMs', options.timeoutMs, 'not a positive number of milliseconds', 'Pass e.g. timeoutMs: 30000.');
  }
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw new InvalidArgumentError('signal', '(not an AbortSignal)', 'not an AbortSignal', 'Pass controller.signal from an AbortController.');
  }
  throwIfAborted(options.signal, operation);
}
