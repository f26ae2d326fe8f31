/**
 * The error family. Every error the SDK throws is a {@link ClusterOpsError} with a stable
 * string `code`, the offending values in `details`, and a message that says what to do next.
 * Callers branch on `instanceof` or `code`, never on message text. The SDK itself classifies
 * server replies only by their protocol error code (the reply's first word: `NOPERM`, `WRONGPASS`,
 * `MOVED`, `BUSYKEY`...), which the Redis protocol fixes, not by the prose after it (the one
 * exception: two conditions Redis reports with the generic `ERR` code, see NodeClient).
 *
 * Messages are composed, not nested: an error that wraps others repeats their `reason`, and says
 * what to do once (see {@link NodeUnreachableError.advice}).
 *
 * Domain-specific subclasses live next to their domain (`src/<domain>/errors.ts`) and extend
 * {@link ClusterOpsError}; the ones shared by several layers are here.
 */

import { asSentence, withoutPeriod } from './sentence';

/**
 * Every `code` a {@link ClusterOpsError} can carry. docs/errors.md lists each with its meaning
 * and the next step. Codes are stable: a new meaning gets a new code.
 */
export const CLUSTER_OPS_ERROR_CODES = Object.freeze([
  'ERR_ABORTED',
  'ERR_AUTH',
  'ERR_COMMAND_FAILED',
  'ERR_CONFIG_RULE',
  'ERR_CONVERGENCE_TIMEOUT',
  'ERR_DEAD_NODE_ADDRESS_TAKEN',
  'ERR_DURABILITY',
  'ERR_FAILOVER_REFUSED',
  'ERR_FAILOVER_TIMEOUT',
  'ERR_FOREIGN_SLOT_MARK',
  'ERR_FORGET_INCOMPLETE',
  'ERR_HOST_PERMISSION',
  'ERR_IMPORT_CONFLICT',
  'ERR_IMPORT_FAILED',
  'ERR_INVALID_ARGUMENT',
  'ERR_INVALID_PLAN',
  'ERR_KEY_CONFLICT',
  'ERR_LEASE_LOST',
  'ERR_LOCK_STORE',
  'ERR_MALFORMED_REPLY',
  'ERR_MASTER_HAS_REPLICAS',
  'ERR_MASTER_OWNS_SLOTS',
  'ERR_MIGRATION_FAILED',
  'ERR_NODE_ALREADY_MEMBER',
  'ERR_NODE_NOT_EMPTY',
  'ERR_NODE_STILL_REACHABLE',
  'ERR_NODE_TIMEOUT',
  'ERR_NODE_TIMEOUT_RESTORE',
  'ERR_NODE_UNREACHABLE',
  'ERR_NODE_UNRESPONSIVE',
  'ERR_NOT_A_MASTER',
  'ERR_NOT_A_REPLICA',
  'ERR_NOT_CLUSTER_NODE',
  'ERR_NOT_REDIS',
  'ERR_NO_PERMISSION',
  'ERR_NO_REPLICA_TO_PROMOTE',
  'ERR_OPERATION_LOCKED',
  'ERR_PLAN',
  'ERR_PLAN_OTHER_CLUSTER',
  'ERR_PROMOTION_TIMEOUT',
  'ERR_PROTECTED_MODE',
  'ERR_REDIS_START',
  'ERR_REPLICA_OF_OTHER_MASTER',
  'ERR_TLS_REQUIRED',
  'ERR_TLS_SETUP',
  'ERR_UNKNOWN_NODE',
  'ERR_UNKNOWN_OPTION',
  'ERR_UNSUPPORTED_BY_SERVER',
] as const);

/** The union of {@link CLUSTER_OPS_ERROR_CODES}: what `ClusterOpsError.code` can be. */
export type ClusterOpsErrorCode = (typeof CLUSTER_OPS_ERROR_CODES)[number];

/**
 * The brand every ClusterOpsError carries, shared through the global symbol registry so the ESM
 * and the CommonJS copies of this package (loaded side by side) recognise each other's errors.
 */
const CLUSTER_OPS_ERROR = Symbol.for('redis-cluster-ops.error');

/** The plain form of an error for logs and JSON: no stack, no secrets (errors never hold any). */
export interface ClusterOpsErrorJSON {
  name: string;
  code: ClusterOpsErrorCode;
  message: string;
  details: Readonly<Record<string, unknown>>;
  /** The cause, summarised: its name, message and code (and its own cause, for our errors). */
  cause?: ClusterOpsErrorJSON | { name: string; message: string; code?: string };
}

/**
 * True for an error thrown by any copy of this package (ESM or CommonJS build, or another
 * installed version): checks a brand, not the prototype. With `code`, also narrows the code.
 */
export function isClusterOpsError<C extends ClusterOpsErrorCode = ClusterOpsErrorCode>(
  value: unknown,
  code?: C,
): value is ClusterOpsError & { readonly code: C } {
  if (typeof value !== 'object' || value === null || (value as Record<symbol, unknown>)[CLUSTER_OPS_ERROR] !== true) return false;
  return code === undefined || (value as { code?: unknown }).code === code;
}

export interface ClusterOpsErrorOptions {
  /** The underlying error, if any (already scrubbed of secrets by the layer that wraps it). */
  cause?: unknown;
  /** The offending values: node ids, addresses, slots, option names. Plain data only. */
  details?: Record<string, unknown>;
}

export class ClusterOpsError extends Error {
  /** A stable machine-readable code, e.g. `ERR_INVALID_ARGUMENT` (see docs/errors.md). */
  readonly code: ClusterOpsErrorCode;
  /** The offending values (node id, address, slot, option name...). Never secrets. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ClusterOpsErrorCode, message: string, options: ClusterOpsErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }

  /**
   * `instanceof ClusterOpsError` answers by brand, so it also holds for errors of another copy of
   * this package (the CommonJS build next to the ESM one). Subclasses keep the prototype check.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this === ClusterOpsError) return isClusterOpsError(value);
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }

  /** `JSON.stringify(error)` keeps name, code, message, details and a summary of the cause. */
  toJSON(): ClusterOpsErrorJSON {
    const json: ClusterOpsErrorJSON = { name: this.name, code: this.code, message: this.message, details: this.details };
    if (this.cause !== undefined) json.cause = summarizeCause(this.cause);
    return json;
  }
}

Object.defineProperty(ClusterOpsError.prototype, CLUSTER_OPS_ERROR, { value: true, enumerable: false });

function summarizeCause(cause: unknown): NonNullable<ClusterOpsErrorJSON['cause']> {
  if (isClusterOpsError(cause)) return cause.toJSON();
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return { name: cause.name, message: cause.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  return { name: typeof cause, message: describeValue(cause) };
}

/** Bad input from the caller, refused before anything is sent to a server. */
export class InvalidArgumentError extends ClusterOpsError {
  /** The option or argument name, e.g. `replicasPerMaster`. */
  readonly argument: string;

  constructor(argument: string, value: unknown, problem: string, fix: string) {
    super(
      'ERR_INVALID_ARGUMENT',
      `Invalid ${argument} ${describeValue(value)}: ${problem}. ${fix}`,
      { details: { argument, value: safeValue(value) } },
    );
    this.argument = argument;
  }
}

/**
 * An options object holds a name the SDK does not know (often an ioredis option such as
 * `maxRetriesPerRequest`), refused instead of silently ignored. Nothing was sent.
 */
export class UnknownOptionError extends ClusterOpsError {
  /** The unknown option's name, with its path (e.g. `from.retryStrategy`). */
  readonly option: string;

  constructor(option: string, known: readonly string[], hint = '') {
    super(
      'ERR_UNKNOWN_OPTION',
      `Unknown option ${JSON.stringify(option)}: this SDK does not read it (it is not an ioredis client). ${hint === '' ? '' : `${hint} `}Known options here: ${known.join(', ')}.`,
      { details: { option, known: [...known] } },
    );
    this.option = option;
  }
}

/** A node id (or address) that the cluster does not know. */
export class UnknownNodeError extends ClusterOpsError {
  readonly nodeId: string;

  constructor(nodeId: string, known: readonly string[] = []) {
    const hint = known.length > 0 ? ` Known nodes: ${known.slice(0, 12).join(', ')}${known.length > 12 ? ', ...' : ''}.` : '';
    super('ERR_UNKNOWN_NODE', `Unknown node "${nodeId}": no node of the cluster has this id or address. Call refresh() and use an id from state.nodes.${hint}`, {
      details: { nodeId },
    });
    this.nodeId = nodeId;
  }
}

/** What to check when a node refuses connections or cannot be dialled. */
const UNREACHABLE_ADVICE =
  "Check that redis-server runs there and listens on that address; since Redis 3.2 protected mode only accepts 127.0.0.1 unless 'protected-mode no' or a password is set.";

/** What to check when a node accepted the connection but did not answer in time. */
const TIMEOUT_ADVICE =
  'The node accepted the connection but did not answer: it may be stopped (SIGSTOP), swapping, overloaded or busy with a long command (see its SLOWLOG and log); raise commandTimeoutMs if it is only slow.';

/** A node could not be reached (connection refused, DNS, connection closed). */
export class NodeUnreachableError extends ClusterOpsError {
  readonly address: string;
  /** What went wrong, without advice (composable into other messages). */
  readonly reason: string;
  /** What to do about it, said once in the message. */
  readonly advice: string;

  constructor(address: string, reason: string, options: { cause?: unknown; advice?: string } = {}) {
    const advice = options.advice ?? UNREACHABLE_ADVICE;
    const timeout = new.target === NodeTimeoutError || new.target.prototype instanceof NodeTimeoutError;
    const head = timeout ? `No reply from ${address}` : `Cannot connect to ${address}`;
    super(timeout ? 'ERR_NODE_TIMEOUT' : 'ERR_NODE_UNREACHABLE', `${head}: ${asSentence(reason)} ${advice}`, { cause: options.cause, details: { address } });
    this.address = address;
    this.reason = withoutPeriod(reason);
    this.advice = advice;
  }
}

/**
 * A node accepted the connection (or had answered before) but gave no reply within the time
 * allowed: a frozen or overloaded node, not a refusal. An instance of NodeUnreachableError too.
 */
export class NodeTimeoutError extends NodeUnreachableError {
  readonly timeoutMs: number;

  constructor(address: string, reason: string, timeoutMs: number) {
    super(address, reason, { advice: TIMEOUT_ADVICE });
    this.timeoutMs = timeoutMs;
  }
}

/** The address answered, but not in the Redis protocol (an HTTP server, a cluster bus port...). */
export class NotRedisError extends ClusterOpsError {
  readonly address: string;

  /** `answer`: the start of what the peer sent, made printable. */
  constructor(address: string, answer: string) {
    super(
      'ERR_NOT_REDIS',
      `${address} does not speak the Redis protocol: it answered ${JSON.stringify(answer)}. Check the address: it must be a node's client port ` +
        '(not its cluster bus port, port + 10000, nor another service); a TLS-only node needs the tls option.',
      { details: { address, answer } },
    );
    this.address = address;
  }
}

/** The ACL user may not run commands the SDK needs (`-NOPERM`). */
export class PermissionDeniedError extends ClusterOpsError {
  readonly address: string;
  /** The ACL user (`default` when no username was given). */
  readonly username: string;
  /** The commands refused, in ACL notation (`cluster|nodes`). */
  readonly commands: readonly string[];

  constructor(address: string, username: string, commands: readonly string[]) {
    const rule = commands.map((command) => `+${command}`).join(' ');
    super(
      'ERR_NO_PERMISSION',
      `User "${username}" may not run ${commands.join(', ')} on ${address} (NOPERM). As an admin, grant ${commands.length === 1 ? 'it' : 'them'}: ` +
        `ACL SETUSER ${username} ${rule}. Operating a cluster needs more (CLUSTER, CONFIG, INFO, MIGRATE, DUMP, SCAN, EVAL, WAIT...): ` +
        `an operations account usually gets ACL SETUSER ${username} on ~* +@all.`,
      { details: { address, username, commands } },
    );
    this.address = address;
    this.username = username;
    this.commands = [...commands];
  }
}

/** The node refused our credentials (WRONGPASS / NOAUTH). */
export class AuthenticationError extends ClusterOpsError {
  readonly address: string;

  constructor(address: string, reason: string) {
    super('ERR_AUTH', `Authentication to ${address} failed: ${asSentence(reason)} Pass the right password (and username for an ACL user) to the options.`, {
      details: { address },
    });
    this.address = address;
  }
}

/** The node runs without `cluster-enabled yes`. */
export class NotClusterNodeError extends ClusterOpsError {
  readonly address: string;

  constructor(address: string) {
    super(
      'ERR_NOT_CLUSTER_NODE',
      `Node ${address} is not configured as a cluster node: set 'cluster-enabled yes' in its config file and restart it.`,
      { details: { address } },
    );
    this.address = address;
  }
}

/** A node that must be empty (create, add-node) holds keys, slots or knows other nodes. */
export class NodeNotEmptyError extends ClusterOpsError {
  readonly address: string;
  readonly reason: 'keys' | 'slots' | 'knows-other-nodes';

  constructor(address: string, reason: 'keys' | 'slots' | 'knows-other-nodes', detail: string) {
    const fix =
      reason === 'keys'
        ? 'A node that holds keys also claims their slots, and Redis refuses CLUSTER RESET on a master with keys (deleting nodes.conf does not help either: ' +
          'it takes the slots again when it loads the keys). If its data is disposable: FLUSHALL, then CLUSTER RESET, on it. ' +
          `To keep the data: join an empty node instead, then copy the keys in with importData({ from: ${sourceOf(address)}, into: topology }).`
        : reason === 'slots'
          ? "Its old cluster config claims slots ('ERR Slot N is already busy'): stop it, delete its cluster-config-file (nodes-PORT.conf), or run CLUSTER RESET on it."
          : 'It belongs to another cluster (an old nodes-PORT.conf): run CLUSTER RESET on it or delete its cluster-config-file and restart it.';
    super('ERR_NODE_NOT_EMPTY', `Node ${address} is not empty: ${detail}. ${fix}`, { details: { address, reason } });
    this.address = address;
    this.reason = reason;
  }
}

/** A server replied with an error to an admin command. */
export class CommandFailedError extends ClusterOpsError {
  readonly address: string;
  readonly command: string;
  /** The server's reply, e.g. `ERR Slot 5 is already busy`. */
  readonly reply: string;

  constructor(address: string, command: string, reply: string, options: { cause?: unknown } = {}) {
    super('ERR_COMMAND_FAILED', `${command} on ${address} failed: ${reply}`, {
      cause: options.cause,
      details: { address, command, reply },
    });
    this.address = address;
    this.command = command;
    this.reply = reply;
  }

  /**
   * The error code Redis put first in its reply (`MOVED`, `ASK`, `TRYAGAIN`, `BUSYKEY`, `IOERR`,
   * `ERR`...): the protocol's own classification, what retries and decisions branch on.
   */
  get replyCode(): string {
    return /^[A-Z][A-Z_-]*/.exec(this.reply)?.[0] ?? '';
  }

  /**
   * For MIGRATE: the code of the error the target node answered, which the source relays as
   * `ERR Target instance replied with error: MOVED ...` (e.g. `MOVED`, `ASK`, `TRYAGAIN`, `BUSYKEY`).
   */
  get targetReplyCode(): string | undefined {
    return /^ERR Target instance replied with error: ([A-Z][A-Z_-]*)/.exec(this.reply)?.[1];
  }
}

/** A reply we could not parse (CLUSTER NODES, INFO...). */
export class MalformedReplyError extends ClusterOpsError {
  constructor(what: string, problem: string, line?: string) {
    super(
      'ERR_MALFORMED_REPLY',
      `Malformed ${what}: ${problem}${line === undefined ? '' : ` in line "${truncate(line, 200)}"`}. Is this a Redis 5.0+ cluster node?`,
      { details: { what, line } },
    );
  }
}

/** The cluster did not agree within the time allowed. */
export class ConvergenceTimeoutError extends ClusterOpsError {
  readonly disagreements: readonly string[];

  constructor(timeoutMs: number, disagreements: readonly string[]) {
    super(
      'ERR_CONVERGENCE_TIMEOUT',
      `The cluster did not converge within ${timeoutMs} ms: ${disagreements.slice(0, 5).join('; ')}${
        disagreements.length > 5 ? `; and ${disagreements.length - 5} more` : ''
      }. Run check() for details; raise timeoutMs if gossip is slow on this network.`,
      { details: { timeoutMs, disagreements } },
    );
    this.disagreements = disagreements;
  }
}

/** The caller's AbortSignal fired. */
export class OperationAbortedError extends ClusterOpsError {
  constructor(operation: string, detail = '') {
    super('ERR_ABORTED', `${operation} was aborted${detail === '' ? '' : `: ${detail}`}`, { details: { operation } });
  }
}

/** A plan cannot be executed (it was made for another cluster, or its preconditions broke). */
export class PlanError extends ClusterOpsError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('ERR_PLAN', message, { details });
  }
}

/** `host:port` as the `{ host, port }` literal a caller would pass. */
function sourceOf(address: string): string {
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon).replace(/^\[|\]$/g, '');
  return `{ host: '${host}', port: ${address.slice(colon + 1)} }`;
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(truncate(value, 120));
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  try {
    return truncate(JSON.stringify(value), 160);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function safeValue(value: unknown): unknown {
  if (typeof value === 'string') return truncate(value, 200);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return value;
  return describeValue(value);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}...`;
}
