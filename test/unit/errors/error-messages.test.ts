import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  ClusterTopology,
  ImportFailedError,
  MigrationFailedError,
  ConfigRenderer,
  InvalidArgumentError,
  NodePool,
  NodeTimeoutError,
  NodeUnreachableError,
  NotRedisError,
  PermissionDeniedError,
  UnknownNodeError,
  planDrain,
  planRebalance,
  planReshard,
} from '../../../src/index';
import { validateReplicate } from '../../../src/topology/membership/replicate';
import { startFakeRespServer } from '../../helpers/fake-resp-server';
import { nodeId, stateOf } from '../../helpers/state-builder';

const count = (text: string, part: string): number => text.split(part).length - 1;
const [A, B, R] = ['a', 'b', 'e'].map(nodeId) as [string, string, string];
const state = stateOf([
  { id: A, port: 7000, slots: '0-8191' },
  { id: B, port: 7001, slots: '8192-16383' },
  { id: R, port: 7002, of: A },
]);

describe('error messages', () => {
  it('end every reason with exactly one period', () => {
    const auth = new AuthenticationError('10.0.0.1:7000', 'WRONGPASS invalid username-password pair or user is disabled.');
    expect(auth.message).toBe('Authentication to 10.0.0.1:7000 failed: WRONGPASS invalid username-password pair or user is disabled. Pass the right password (and username for an ACL user) to the options.');
    expect(new NodeUnreachableError('10.0.0.1:7000', 'connect ECONNREFUSED. ').message).not.toMatch(/\.\s*\./);
  });

  it('wrap another error without piling up periods or repeating its advice', () => {
    const cause = new NodeTimeoutError('10.0.0.1:7000', 'MIGRATE got no reply within 300 ms', 300);
    const migration = new MigrationFailedError('plan-1', [5], 3, cause);
    const imported = new ImportFailedError({ nodes: {}, done: [] } as never, cause, false);
    for (const error of [migration, imported]) {
      // Two periods in a row (an ellipsis aside).
      expect(error.message).not.toMatch(/[^.]\.\s*\.[^.]/);
      expect(count(error.message, 'SIGSTOP')).toBe(1);
    }
  });

  it('give a timeout its own advice, not the refusal one', () => {
    const timeout = new NodeTimeoutError('10.0.0.1:7000', 'a pipeline of 3 commands got no reply within 300 ms', 300);
    expect(timeout).toBeInstanceOf(NodeUnreachableError);
    expect(timeout).toMatchObject({ code: 'ERR_NODE_TIMEOUT', timeoutMs: 300, reason: 'a pipeline of 3 commands got no reply within 300 ms' });
    expect(timeout.message).not.toMatch(/protected mode/);
    expect(timeout.message).toMatch(/SIGSTOP/);
    expect(timeout.message).toMatch(/commandTimeoutMs/);
    const refused = new NodeUnreachableError('10.0.0.1:7000', 'connect ECONNREFUSED 10.0.0.1:7000');
    expect(refused.code).toBe('ERR_NODE_UNREACHABLE');
    expect(refused.message).toMatch(/protected mode/);
  });

  it('name the missing ACL commands and the rule that grants them', () => {
    const error = new PermissionDeniedError('10.0.0.1:7000', 'ops', ['cluster|nodes', 'cluster|info']);
    expect(error.code).toBe('ERR_NO_PERMISSION');
    expect(error.message).toContain('User "ops" may not run cluster|nodes, cluster|info on 10.0.0.1:7000');
    expect(error.message).toContain('ACL SETUSER ops +cluster|nodes +cluster|info');
    expect(error.message).not.toMatch(/protected mode|Cannot connect/);
  });

  it('say what to do about a bus-port clash', () => {
    const error = (() => {
      try {
        new ConfigRenderer({ baseDir: '/data/redis', redisVersion: '7.0' }).render({ ports: [7000, 17000] });
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error?.message).toMatch(/17000 is both an instance port and the cluster bus port of 7000/);
    expect(error?.message).toMatch(/Move one of the two instances to another port/);
  });

  it('say each piece of advice once when no seed answers', async () => {
    const silent = await startFakeRespServer(() => null);
    // A port nothing listens on: take a fake server's port, then close it.
    const closed = await startFakeRespServer(() => null);
    await closed.close();
    const topology = new ClusterTopology({ seeds: [{ host: '127.0.0.1', port: closed.port }, { host: '127.0.0.1', port: silent.port }], connectTimeoutMs: 200, commandTimeoutMs: 200 });
    try {
      const error = (await topology.refresh().catch((e: unknown) => e)) as NodeUnreachableError;
      expect(error).toBeInstanceOf(NodeUnreachableError);
      expect(count(error.message, 'Cannot connect')).toBe(1);
      expect(count(error.message, 'protected mode')).toBe(1);
      expect(count(error.message, 'SIGSTOP')).toBe(1);
      expect(error.message).toContain(`127.0.0.1:${closed.port}: connect ECONNREFUSED`);
      expect(error.message).toContain(`127.0.0.1:${silent.port}: no answer to the connection handshake within 400 ms`);
      // One seed: its own error, not wrapped.
      const single = new ClusterTopology({ seeds: [{ host: '127.0.0.1', port: closed.port }] });
      const lone = (await single.refresh().catch((e: unknown) => e)) as Error;
      await single.close();
      expect(lone.message).toMatch(new RegExp(`^Cannot connect to 127.0.0.1:${closed.port}: connect ECONNREFUSED [0-9.:]+\\. Check that`));
    } finally {
      await topology.close();
      await silent.close();
    }
  });

  it('say "did not answer" for a pipeline against a node that never replies', async () => {
    // Answers the connection handshake, then nothing: a node frozen mid-operation.
    const frozen = await startFakeRespServer((command) => (command[0]?.toUpperCase() === 'CLUSTER' ? null : command[0]?.toUpperCase() === 'HELLO' ? "-ERR unknown command 'HELLO'\r\n" : '+OK\r\n'));
    const pool = new NodePool({ commandTimeoutMs: 200 });
    try {
      await pool.get({ host: '127.0.0.1', port: frozen.port }).ping();
      const error = await pool.get({ host: '127.0.0.1', port: frozen.port }).pipeline([['CLUSTER', 'COUNTKEYSINSLOT', 1], ['CLUSTER', 'COUNTKEYSINSLOT', 2]]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NodeTimeoutError);
      expect((error as Error).message).toMatch(/^No reply from 127\.0\.0\.1:\d+: a pipeline of 2 commands got no reply within 200 ms\. /);
      expect((error as Error).message).not.toMatch(/protected mode/);
    } finally {
      await pool.close();
      await frozen.close();
    }
  });

  it('name a peer that does not speak RESP', () => {
    const error = new NotRedisError('10.0.0.1:80', 'HTTP/1.1 400 Bad Request');
    expect(error.code).toBe('ERR_NOT_REDIS');
    expect(error.message).toMatch(/does not speak the Redis protocol: it answered "HTTP\/1.1 400 Bad Request"/);
  });
});

describe('node id validation', () => {
  it('refuses a malformed id as ERR_INVALID_ARGUMENT in every call, and an unknown well-formed one as ERR_UNKNOWN_NODE', () => {
    const malformed = 'not-a-node-id';
    const calls: (() => unknown)[] = [
      () => planReshard(state, { from: malformed, to: B, slots: 1 }),
      () => planReshard(state, { from: A, to: malformed, slots: 1 }),
      () => planDrain(state, malformed),
      () => planRebalance(state, { weights: { [malformed]: 1 } }),
      () => validateReplicate(state, malformed, A),
      () => state.requireNode(malformed),
    ];
    for (const call of calls) expect(call).toThrow(InvalidArgumentError);
    const unknown = 'f'.repeat(40);
    expect(() => planReshard(state, { from: unknown, to: B, slots: 1 })).toThrow(UnknownNodeError);
    expect(() => validateReplicate(state, unknown, A)).toThrow(UnknownNodeError);
    expect(() => state.requireNode(unknown)).toThrow(UnknownNodeError);
    expect(state.requireNode('127.0.0.1:7001').id).toBe(B);
  });
});
