import type { CommandArg } from '../net/node-client';

/**
 * Commands that never change a node's data, slots, membership or configuration. Fencing lets
 * these through after a lease is lost (so a stopped operation can still report what it left);
 * every other command counts as mutating. An allowlist, so that a command nobody thought of is
 * fenced rather than let through.
 */
const READ_ONLY = new Set([
  'PING', 'ECHO', 'INFO', 'TIME', 'ROLE', 'DBSIZE', 'LASTSAVE', 'COMMAND', 'HELLO', 'AUTH', 'SELECT', 'READONLY', 'READWRITE',
  'ASKING', 'WAIT', 'QUIT', 'RESET', 'MONITOR', 'SLOWLOG', 'LATENCY',
  'GET', 'MGET', 'STRLEN', 'GETRANGE', 'EXISTS', 'TYPE', 'TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME', 'DUMP', 'SCAN', 'KEYS', 'RANDOMKEY',
  'HGET', 'HGETALL', 'HLEN', 'HSCAN', 'LLEN', 'LRANGE', 'LINDEX', 'SCARD', 'SMEMBERS', 'SSCAN', 'SISMEMBER', 'ZCARD', 'ZRANGE', 'ZSCAN', 'ZSCORE',
  'XLEN', 'XRANGE', 'XINFO', 'PFCOUNT', 'OBJECT', 'MEMORY', 'DEBUG',
]);

/** CLUSTER subcommands that only read. */
const CLUSTER_READ_ONLY = new Set([
  'NODES', 'INFO', 'MYID', 'MYSHARDID', 'SLOTS', 'SHARDS', 'LINKS', 'KEYSLOT', 'COUNTKEYSINSLOT', 'GETKEYSINSLOT', 'COUNT-FAILURE-REPORTS', 'REPLICAS', 'SLAVES', 'HELP',
]);

/** Subcommands of other containers that only read. */
const SUBCOMMAND_READ_ONLY: Record<string, ReadonlySet<string>> = {
  CONFIG: new Set(['GET', 'HELP']),
  CLIENT: new Set(['LIST', 'INFO', 'ID', 'GETNAME', 'SETNAME', 'SETINFO', 'TRACKINGINFO', 'NO-EVICT', 'NO-TOUCH', 'REPLY', 'HELP']),
  ACL: new Set(['WHOAMI', 'LIST', 'USERS', 'GETUSER', 'CAT', 'HELP']),
  SCRIPT: new Set(['EXISTS', 'HELP']),
};

/**
 * True when `args` may change the cluster: CLUSTER SETSLOT / ADDSLOTS* / DELSLOTS* / MEET /
 * FORGET / REPLICATE / FAILOVER / RESET / SET-CONFIG-EPOCH / BUMPEPOCH, MIGRATE, RESTORE, DEL,
 * EVAL (the key mover's compare-and-delete), CONFIG SET, REPLICAOF, FLUSHALL, and anything else
 * not known to be read-only. DEBUG counts as read-only only for DIGEST / DIGEST-VALUE.
 */
export function isMutatingCommand(args: readonly CommandArg[]): boolean {
  const name = String(args[0] ?? '').toUpperCase();
  const sub = String(args[1] ?? '').toUpperCase();
  if (name === 'CLUSTER') return !CLUSTER_READ_ONLY.has(sub);
  if (name === 'DEBUG') return sub !== 'DIGEST' && sub !== 'DIGEST-VALUE';
  if (name === 'RESET') return false;
  const subs = SUBCOMMAND_READ_ONLY[name];
  if (subs !== undefined) return !subs.has(sub);
  return !READ_ONLY.has(name);
}
