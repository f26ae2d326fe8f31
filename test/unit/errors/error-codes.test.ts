import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import * as api from '../../../src/index';
import {
  AuthenticationError,
  CLUSTER_OPS_ERROR_CODES,
  ClusterOpsError,
  CommandFailedError,
  ConfigValidationError,
  ConvergenceTimeoutError,
  FailoverRefusedError,
  FailoverTimeoutError,
  ForgetIncompleteError,
  HostTunerPermissionError,
  ImportAbortedError,
  ImportConflictError,
  ImportFailedError,
  InvalidArgumentError,
  InvalidPlanError,
  KeyConflictError,
  MalformedReplyError,
  MasterHasReplicasError,
  MasterOwnsSlotsError,
  MigrationAbortedError,
  MigrationFailedError,
  NoReplicaToPromoteError,
  NodeAlreadyMemberError,
  NodeNotEmptyError,
  NodeStillReachableError,
  NodeUnreachableError,
  NotAMasterError,
  NotAReplicaError,
  NotClusterNodeError,
  OperationAbortedError,
  PlanClusterMismatchError,
  PlanError,
  PromotionTimeoutError,
  ProtectedModeError,
  ReplicaOfOtherMasterError,
  UnknownNodeError,
  UnknownOptionError,
  DeadNodeAddressTakenError,
  ForeignSlotMarkError,
  LeaseLostError,
  LockStoreError,
  NodeTimeoutError,
  NodeTimeoutRestoreError,
  NodeUnresponsiveError,
  NotRedisError,
  OperationLockedError,
  PermissionDeniedError,
  TlsRequiredError,
  UnsupportedByServerError,
  isClusterOpsError,
  type ClusterOpsErrorCode,
} from '../../../src/index';

const ID = 'a'.repeat(40);
const ADDRESS = '127.0.0.1:7000';
const cursor = { nodes: {}, done: [] };
const holder = { token: 't', fence: 1, holder: { host: 'ops-1', pid: 42, operation: 'migrate', since: 0 }, expiresInMs: 1000 };

/** One instance of every exported error class, and the code it must carry. */
const EXAMPLES: Record<string, [() => ClusterOpsError, ClusterOpsErrorCode]> = {
  ClusterOpsError: [() => new ClusterOpsError('ERR_REDIS_START', 'redis-server exited'), 'ERR_REDIS_START'],
  InvalidArgumentError: [() => new InvalidArgumentError('port', -1, 'not a port', 'Pass 1-55535.'), 'ERR_INVALID_ARGUMENT'],
  UnknownNodeError: [() => new UnknownNodeError(ID), 'ERR_UNKNOWN_NODE'],
  UnknownOptionError: [() => new UnknownOptionError('maxRetriesPerRequest', ['password', 'tls']), 'ERR_UNKNOWN_OPTION'],
  NodeUnreachableError: [() => new NodeUnreachableError(ADDRESS, 'ECONNREFUSED'), 'ERR_NODE_UNREACHABLE'],
  AuthenticationError: [() => new AuthenticationError(ADDRESS, 'WRONGPASS'), 'ERR_AUTH'],
  NotClusterNodeError: [() => new NotClusterNodeError(ADDRESS), 'ERR_NOT_CLUSTER_NODE'],
  NodeNotEmptyError: [() => new NodeNotEmptyError(ADDRESS, 'keys', '3 keys'), 'ERR_NODE_NOT_EMPTY'],
  CommandFailedError: [() => new CommandFailedError(ADDRESS, 'CLUSTER ADDSLOTS', 'ERR Slot 5 is already busy'), 'ERR_COMMAND_FAILED'],
  MalformedReplyError: [() => new MalformedReplyError('CLUSTER NODES', 'too few fields', 'x'), 'ERR_MALFORMED_REPLY'],
  ConvergenceTimeoutError: [() => new ConvergenceTimeoutError(1000, ['slot 5 owners differ']), 'ERR_CONVERGENCE_TIMEOUT'],
  OperationAbortedError: [() => new OperationAbortedError('reshard'), 'ERR_ABORTED'],
  PlanError: [() => new PlanError('no working master'), 'ERR_PLAN'],
  InvalidPlanError: [() => new InvalidPlanError('migration', 'plan.id', 'does not match'), 'ERR_INVALID_PLAN'],
  PlanClusterMismatchError: [() => new PlanClusterMismatchError('migration', 'aaaa', 'bbbb', [ID]), 'ERR_PLAN_OTHER_CLUSTER'],
  MigrationFailedError: [() => new MigrationFailedError('p1', [5], 3, new Error('IOERR')), 'ERR_MIGRATION_FAILED'],
  MigrationAbortedError: [() => new MigrationAbortedError('p1', [5], 3, new OperationAbortedError('reshard')), 'ERR_ABORTED'],
  KeyConflictError: [() => new KeyConflictError(5, [Buffer.from('k')], ADDRESS, '127.0.0.1:7001'), 'ERR_KEY_CONFLICT'],
  ImportConflictError: [() => new ImportConflictError([Buffer.from('k')], cursor), 'ERR_IMPORT_CONFLICT'],
  ImportFailedError: [() => new ImportFailedError(cursor, new Error('ECONNRESET'), false), 'ERR_IMPORT_FAILED'],
  ImportAbortedError: [() => new ImportAbortedError(cursor, new OperationAbortedError('importData')), 'ERR_ABORTED'],
  FailoverRefusedError: [() => new FailoverRefusedError(ID, ADDRESS, 'default', 'not a replica', 'Pass a replica id.'), 'ERR_FAILOVER_REFUSED'],
  FailoverTimeoutError: [() => new FailoverTimeoutError(ID, ADDRESS, 'force', 1000, ['no vote']), 'ERR_FAILOVER_TIMEOUT'],
  NoReplicaToPromoteError: [() => new NoReplicaToPromoteError(ID, ADDRESS, '0-5460'), 'ERR_NO_REPLICA_TO_PROMOTE'],
  PromotionTimeoutError: [() => new PromotionTimeoutError(ID, ADDRESS, [ID], 1000), 'ERR_PROMOTION_TIMEOUT'],
  NotAReplicaError: [() => new NotAReplicaError(ID, ADDRESS, 10, 'replicate'), 'ERR_NOT_A_REPLICA'],
  NotAMasterError: [() => new NotAMasterError(ID, ADDRESS, ID, 'replicate'), 'ERR_NOT_A_MASTER'],
  ReplicaOfOtherMasterError: [() => new ReplicaOfOtherMasterError(ID, ADDRESS, ID, 'b'.repeat(40)), 'ERR_REPLICA_OF_OTHER_MASTER'],
  MasterOwnsSlotsError: [() => new MasterOwnsSlotsError(ID, ADDRESS, '0-5460', 'removeNode'), 'ERR_MASTER_OWNS_SLOTS'],
  NodeStillReachableError: [() => new NodeStillReachableError(ID, ADDRESS, 'forgetEverywhere', 'Stop it first.'), 'ERR_NODE_STILL_REACHABLE'],
  MasterHasReplicasError: [() => new MasterHasReplicasError(ID, ADDRESS, [{ id: ID, address: ADDRESS }]), 'ERR_MASTER_HAS_REPLICAS'],
  NodeAlreadyMemberError: [() => new NodeAlreadyMemberError(ID, ADDRESS, 'master'), 'ERR_NODE_ALREADY_MEMBER'],
  ProtectedModeError: [() => new ProtectedModeError(ADDRESS), 'ERR_PROTECTED_MODE'],
  ForgetIncompleteError: [() => new ForgetIncompleteError(ID, 1000, [ADDRESS]), 'ERR_FORGET_INCOMPLETE'],
  ConfigValidationError: [() => new ConfigValidationError('repl-timeout', 'repl-timeout', '1', 'must exceed repl-ping-replica-period'), 'ERR_CONFIG_RULE'],
  DeadNodeAddressTakenError: [() => new DeadNodeAddressTakenError(ID, ADDRESS, 'b'.repeat(40), '0-5460', []), 'ERR_DEAD_NODE_ADDRESS_TAKEN'],
  ForeignSlotMarkError: [() => new ForeignSlotMarkError([{ slot: 5, address: ADDRESS, state: 'migrating', peerId: ID }]), 'ERR_FOREIGN_SLOT_MARK'],
  LeaseLostError: [() => new LeaseLostError('migrate', 'expired', 'paused past its expiry'), 'ERR_LEASE_LOST'],
  LockStoreError: [() => new LockStoreError('no master answered', 'Check the cluster.'), 'ERR_LOCK_STORE'],
  NodeTimeoutError: [() => new NodeTimeoutError(ADDRESS, 'no reply', 1000), 'ERR_NODE_TIMEOUT'],
  NodeTimeoutRestoreError: [() => new NodeTimeoutRestoreError(ADDRESS, '15000', 'ECONNRESET', { operationSucceeded: true }), 'ERR_NODE_TIMEOUT_RESTORE'],
  NodeUnresponsiveError: [() => new NodeUnresponsiveError(ADDRESS, 'target', 5, 1000), 'ERR_NODE_UNRESPONSIVE'],
  NotRedisError: [() => new NotRedisError(ADDRESS, 'HTTP/1.1 400'), 'ERR_NOT_REDIS'],
  OperationLockedError: [() => new OperationLockedError('fix', holder), 'ERR_OPERATION_LOCKED'],
  PermissionDeniedError: [() => new PermissionDeniedError(ADDRESS, 'ops', ['cluster|nodes']), 'ERR_NO_PERMISSION'],
  TlsRequiredError: [() => new TlsRequiredError(ADDRESS, 'the node closed the connection at the first byte'), 'ERR_TLS_REQUIRED'],
  UnsupportedByServerError: [() => new UnsupportedByServerError(ADDRESS, 'ACL users (username)', 'Redis 5.0.14', '6.0', 'Use requirepass.'), 'ERR_UNSUPPORTED_BY_SERVER'],
  HostTunerPermissionError: [() => new HostTunerPermissionError('/etc/sysctl.conf', 'EACCES'), 'ERR_HOST_PERMISSION'],
};

/** Every error class the package exports (anything whose prototype chain reaches Error). */
const exportedErrorClasses = Object.entries(api)
  .filter(([, value]) => typeof value === 'function' && (value as { prototype?: unknown }).prototype instanceof Error)
  .map(([name]) => name)
  .concat('ClusterOpsError')
  .filter((name, index, all) => all.indexOf(name) === index)
  .sort();

describe('error codes', () => {
  it('has an example for every exported error class (add one here with each new class)', () => {
    expect(exportedErrorClasses).toEqual(Object.keys(EXAMPLES).sort());
  });

  it.each(Object.entries(EXAMPLES))('%s carries its stable code, its class name and plain details', (name, [make, code]) => {
    const error = make();
    expect(error.code).toBe(code);
    expect(error.name).toBe(name);
    expect(CLUSTER_OPS_ERROR_CODES).toContain(error.code);
    expect(isClusterOpsError(error)).toBe(true);
    expect(isClusterOpsError(error, code)).toBe(true);
    expect(error).toBeInstanceOf(ClusterOpsError);
    expect(() => JSON.stringify(error.details)).not.toThrow();
  });

  it('aborted migrations and imports surface the top-level code ERR_ABORTED and stay catchable as failures', () => {
    const migration = EXAMPLES.MigrationAbortedError![0]();
    expect(migration).toBeInstanceOf(MigrationFailedError);
    expect(migration.code).toBe('ERR_ABORTED');
    expect((migration as MigrationFailedError).openSlots).toEqual([5]);
    const imported = EXAMPLES.ImportAbortedError![0]();
    expect(imported).toBeInstanceOf(ImportFailedError);
    expect((imported as ImportFailedError).aborted).toBe(true);
    expect(imported.code).toBe('ERR_ABORTED');
  });

  it('JSON.stringify keeps name, code, message, details and a summary of the cause, and no stack', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:7000'), { code: 'ECONNREFUSED' });
    const error = new MigrationFailedError('p1', [5, 6], 3, new NodeUnreachableError(ADDRESS, 'connection refused', { cause }));
    const json = JSON.parse(JSON.stringify(error)) as Record<string, any>;
    expect(json).toMatchObject({ name: 'MigrationFailedError', code: 'ERR_MIGRATION_FAILED', message: error.message, details: { planId: 'p1', openSlots: [5, 6], doneSlots: 3 } });
    expect(json.cause).toMatchObject({ name: 'NodeUnreachableError', code: 'ERR_NODE_UNREACHABLE', details: { address: ADDRESS } });
    expect(json.cause.cause).toEqual({ name: 'Error', message: cause.message, code: 'ECONNREFUSED' });
    expect(json).not.toHaveProperty('stack');
    expect(JSON.stringify(error)).not.toMatch(/\n\s+at /);
  });

  it('isClusterOpsError and instanceof ClusterOpsError recognise errors of another copy of the package (ESM next to CJS)', async () => {
    vi.resetModules();
    const copy = await import('../../../src/errors');
    expect(copy.ClusterOpsError).not.toBe(ClusterOpsError);
    const foreign = new copy.UnknownNodeError(ID);
    expect(foreign instanceof UnknownNodeError).toBe(false);
    expect(isClusterOpsError(foreign)).toBe(true);
    expect(isClusterOpsError(foreign, 'ERR_UNKNOWN_NODE')).toBe(true);
    expect(isClusterOpsError(foreign, 'ERR_AUTH')).toBe(false);
    expect(foreign instanceof ClusterOpsError).toBe(true);
    expect(copy.isClusterOpsError(new UnknownNodeError(ID))).toBe(true);
    expect(isClusterOpsError(new Error('x'))).toBe(false);
    expect(isClusterOpsError({ code: 'ERR_AUTH', message: 'x' })).toBe(false);
    expect(isClusterOpsError(null)).toBe(false);
  });

  it('docs/errors.md has one table row per code, with a meaning and a next step, and no unknown code', () => {
    const doc = readFileSync(resolve(__dirname, '../../../docs/errors.md'), 'utf8');
    const rows = doc.split('\n').filter((line) => /^\|\s*`ERR_[A-Z_]+`/.test(line));
    const documented = rows.map((row) => /`(ERR_[A-Z_]+)`/.exec(row)?.[1]);
    expect([...documented].sort()).toEqual([...CLUSTER_OPS_ERROR_CODES].sort());
    for (const row of rows) {
      const cells = row.split('|').slice(1, -1).map((cell) => cell.trim());
      expect(cells.length, row).toBeGreaterThanOrEqual(4);
      expect(cells.every((cell) => cell.length > 0), row).toBe(true);
    }
  });
});
