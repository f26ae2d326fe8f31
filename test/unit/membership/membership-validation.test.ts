import { describe, expect, it } from 'vitest';
import {
  CommandFailedError,
  InvalidArgumentError,
  MasterHasReplicasError,
  MasterOwnsSlotsError,
  NodeStillReachableError,
  NodeUnreachableError,
  NotAMasterError,
  NotAReplicaError,
  ProtectedModeError,
  UnknownNodeError,
  type AddNodeOptions,
} from '../../../src/index';
import { resolveAddNode, validateAddNodeInput } from '../../../src/topology/membership/add-node';
import { validateForget } from '../../../src/topology/membership/forget-everywhere';
import { translateJoinError } from '../../../src/topology/membership/join-checks';
import { assertNodeId } from '../../../src/topology/membership/membership-options';
import { validateRemove } from '../../../src/topology/membership/remove-node';
import { validateReplicate } from '../../../src/topology/membership/replicate';
import { healthyCluster, idOf, stateOf, type FixtureNode } from './state-fixture';

const state = stateOf(healthyCluster());
const [A, B, C, D, E] = ['a', 'b', 'c', 'd', 'e'].map(idOf) as [string, string, string, string, string];
const UNKNOWN = '0123456789abcdef0123456789abcdef01234567';

describe('membership input checks (refused before anything is sent)', () => {
  it('assertNodeId accepts 40 lowercase hex characters only, naming the argument', () => {
    expect(assertNodeId(A, 'nodeId')).toBe(A);
    for (const bad of ['abc', 'A'.repeat(40), `${A}0`, 42, undefined, '127.0.0.1:7000']) {
      const error = (() => {
        try {
          assertNodeId(bad, 'replicaId');
        } catch (e) {
          return e;
        }
      })();
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect((error as InvalidArgumentError).argument).toBe('replicaId');
    }
  });

  describe('addNode', () => {
    it('refuses a malformed address or role', () => {
      expect(() => validateAddNodeInput({ host: '', port: 7000 }, { as: 'master' })).toThrow(InvalidArgumentError);
      expect(() => validateAddNodeInput({ host: '10.0.0.9', port: 60000 }, { as: 'master' })).toThrow(/cluster bus/);
      expect(() => validateAddNodeInput({ host: '10.0.0.9', port: 7000 }, { as: 'leader' } as unknown as AddNodeOptions)).toThrow(/'master' or 'replica'/);
      expect(() => validateAddNodeInput({ host: '10.0.0.9', port: 7000 }, { as: 'replica', of: 'not-an-id' })).toThrow(InvalidArgumentError);
      expect(() => validateAddNodeInput({ host: '10.0.0.9', port: 7000 }, { as: 'master', timeoutMs: -1 })).toThrow(/timeoutMs/);
    });

    it('refuses an unknown master id and a replica passed as the master', () => {
      expect(() => resolveAddNode(state, { host: '10.0.0.9', port: 7000 }, { as: 'replica', of: UNKNOWN })).toThrow(UnknownNodeError);
      const error = (() => {
        try {
          resolveAddNode(state, { host: '10.0.0.9', port: 7000 }, { as: 'replica', of: D });
        } catch (e) {
          return e as NotAMasterError;
        }
      })();
      expect(error).toBeInstanceOf(NotAMasterError);
      expect(error?.message).toContain(`pass ${A}`);
    });

    it('resolves `of`, or picks a master on another host when it is left out', () => {
      expect(resolveAddNode(state, { host: '10.0.0.1', port: 7009 }, { as: 'replica', of: A }).master).toEqual({ id: A, sameHost: true });
      const picked = resolveAddNode(state, { host: '10.0.0.1', port: 7009 }, { as: 'replica' }).master;
      expect(picked?.id).not.toBe(A);
      expect(picked?.sameHost).toBe(false);
      expect(resolveAddNode(state, { host: '10.0.0.1', port: 7009 }, { as: 'master' }).master).toBeUndefined();
    });
  });

  describe('replicate', () => {
    it('refuses unknown ids, a master serving slots as the replica, a replica as the master, and the node itself', () => {
      expect(() => validateReplicate(state, UNKNOWN, A)).toThrow(UnknownNodeError);
      expect(() => validateReplicate(state, D, UNKNOWN)).toThrow(UnknownNodeError);
      expect(() => validateReplicate(state, A, B)).toThrow(NotAReplicaError);
      expect(() => validateReplicate(state, D, E)).toThrow(NotAMasterError);
      expect(() => validateReplicate(state, D, D)).toThrow(InvalidArgumentError);
    });

    it('refuses a failed master and an unreachable replica, and accepts an empty master as the replica', () => {
      const nodes: FixtureNode[] = [...healthyCluster(), { name: 'g', host: '10.0.0.4', role: 'master' }, { name: 'h', host: '10.0.0.4', role: 'replica', of: 'a', down: true }];
      const withExtra = stateOf(nodes);
      expect(() => validateReplicate(withExtra, idOf('g'), B)).not.toThrow();
      expect(() => validateReplicate(withExtra, idOf('h'), B)).toThrow(NodeUnreachableError);
      const failedMaster = stateOf(healthyCluster().map((n) => (n.name === 'b' ? { ...n, flag: 'fail' as const } : n)));
      expect(() => validateReplicate(failedMaster, D, B)).toThrow(/flagged fail/);
    });
  });

  describe('removeNode and forgetEverywhere', () => {
    it('refuse a master that serves slots, telling to drain it (remove) or wait for promotion (forget)', () => {
      expect(() => validateRemove(state, A)).toThrow(MasterOwnsSlotsError);
      expect(() => validateRemove(state, A)).toThrow(/drain it/);
      const dead = stateOf(healthyCluster().map((n) => (n.name === 'a' ? { ...n, flag: 'fail' as const } : n)));
      expect(() => validateForget(dead, A)).toThrow(MasterOwnsSlotsError);
      expect(() => validateForget(dead, A)).toThrow(/uncovered/);
      expect(() => validateRemove(state, D)).not.toThrow();
      expect(() => validateRemove(state, UNKNOWN)).toThrow(UnknownNodeError);
    });

    it('forgetEverywhere refuses a live node unless allowLive, and accepts a dead replica', () => {
      expect(() => validateForget(state, D)).toThrow(NodeStillReachableError);
      expect(() => validateForget(state, D)).toThrow(/removeNode/);
      expect(validateForget(state, D, { allowLive: true }).id).toBe(D);
      const dead = stateOf(healthyCluster().map((n) => (n.name === 'd' ? { ...n, flag: 'fail' as const } : n)));
      expect(validateForget(dead, D).id).toBe(D);
    });

    it("forgetEverywhere refuses a dead master that live replicas still follow (\"Can't forget my master!\")", () => {
      const nodes: FixtureNode[] = [...healthyCluster(), { name: 'g', host: '10.0.0.4', role: 'master', flag: 'fail' }, { name: 'h', host: '10.0.0.1', role: 'replica', of: 'g' }];
      const error = (() => {
        try {
          validateForget(stateOf(nodes), idOf('g'));
        } catch (e) {
          return e as MasterHasReplicasError;
        }
      })();
      expect(error).toBeInstanceOf(MasterHasReplicasError);
      expect(error?.replicaIds).toEqual([idOf('h')]);
    });
  });

  it('turns a -DENIED reply (protected mode) into ProtectedModeError with the runbook explanation', () => {
    const denied = new CommandFailedError('10.0.0.9:7000', 'CLUSTER MYID', 'DENIED Redis is running in protected mode because protected mode is enabled');
    const translated = translateJoinError(denied, '10.0.0.9:7000');
    expect(translated).toBeInstanceOf(ProtectedModeError);
    expect((translated as Error).message).toMatch(/protected-mode no/);
    const other = new CommandFailedError('10.0.0.9:7000', 'CLUSTER MYID', 'ERR something else');
    expect(translateJoinError(other, '10.0.0.9:7000')).toBe(other);
  });

  it('fixture ids are distinct', () => {
    expect(new Set([A, B, C, D, E]).size).toBe(5);
  });
});
