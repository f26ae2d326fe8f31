import { describe, expect, it } from 'vitest';
import {
  ClusterTopology,
  DEFAULT_FAILOVER_CONTROLLER_OPTIONS,
  FailoverController,
  FailoverRefusedError,
  InvalidArgumentError,
  NodeUnreachableError,
  NotAReplicaError,
  OperationAbortedError,
  ReplicaOfOtherMasterError,
  UnknownNodeError,
  type LeaseStore,
} from '../../../src/index';
import { resolveFailoverControllerOptions } from '../../../src/failover/failover-options';
import { validateFailover } from '../../../src/failover/manual-failover';
import { healthyCluster, idOf, stateOf } from '../membership/state-fixture';

const state = stateOf(healthyCluster());
const [A, B, D] = ['a', 'b', 'd'].map(idOf) as [string, string, string];
const UNKNOWN = '0123456789abcdef0123456789abcdef01234567';

describe('failover input checks (refused before anything is sent)', () => {
  it('refuses an unknown id, a master passed as the replica, and a replica of a different master than `of`', () => {
    expect(() => validateFailover(state, UNKNOWN, { mode: 'default' })).toThrow(UnknownNodeError);
    expect(() => validateFailover(state, A, { mode: 'default' })).toThrow(NotAReplicaError);
    expect(() => validateFailover(state, A, { mode: 'default' })).toThrow(/You should send CLUSTER FAILOVER to a replica/);
    const error = (() => {
      try {
        validateFailover(state, D, { mode: 'default', of: B });
      } catch (e) {
        return e as ReplicaOfOtherMasterError;
      }
    })();
    expect(error).toBeInstanceOf(ReplicaOfOtherMasterError);
    expect(error).toMatchObject({ masterId: A, expectedMasterId: B });
    expect(() => validateFailover(state, D, { mode: 'default', of: UNKNOWN })).toThrow(UnknownNodeError);
    expect(validateFailover(state, D, { mode: 'default', of: A })).toEqual({ replicaAddress: state.node(D)?.address, masterId: A });
  });

  it("refuses a default failover when the master is down, pointing at mode 'force'; force and takeover accept it", () => {
    const dead = stateOf(healthyCluster().map((n) => (n.name === 'a' ? { ...n, flag: 'fail' as const } : n)));
    expect(() => validateFailover(dead, D, { mode: 'default' })).toThrow(FailoverRefusedError);
    expect(() => validateFailover(dead, D, { mode: 'default' })).toThrow(/mode: 'force'/);
    expect(() => validateFailover(dead, D, { mode: 'force' })).not.toThrow();
    expect(() => validateFailover(dead, D, { mode: 'takeover' })).not.toThrow();
  });

  it('refuses a replica that does not answer', () => {
    const down = stateOf(healthyCluster().map((n) => (n.name === 'd' ? { ...n, down: true } : n)));
    expect(() => validateFailover(down, D, { mode: 'force' })).toThrow(NodeUnreachableError);
  });

  it('FailoverController and the membership methods refuse bad ids, modes and an aborted signal before touching the network', async () => {
    const topology = new ClusterTopology({ seeds: [{ host: '127.0.0.1', port: 1 }] });
    const controller = new FailoverController(topology);
    await expect(controller.failover('nope')).rejects.toThrow(InvalidArgumentError);
    await expect(controller.failover(D, { mode: 'hard' as never })).rejects.toThrow(/'default', 'force' or 'takeover'/);
    await expect(controller.failover(D, { timeoutMs: 0 })).rejects.toThrow(/timeoutMs/);
    await expect(controller.replaceNode(D, { host: '', port: 1 })).rejects.toThrow(InvalidArgumentError);
    expect(() => controller.watch({ intervalMs: -5 })).toThrow(/intervalMs/);
    // An aborted signal stops the call before it reaches the (unreachable) seed.
    const aborted = AbortSignal.abort(new Error('shutting down'));
    await expect(controller.failover(D, { signal: aborted })).rejects.toBeInstanceOf(OperationAbortedError);
    await expect(controller.replaceNode(D, { host: '127.0.0.1', port: 7000 }, { signal: aborted })).rejects.toBeInstanceOf(OperationAbortedError);
    await expect(topology.addNode({ host: '127.0.0.1', port: 7000 }, { as: 'master', signal: aborted })).rejects.toBeInstanceOf(OperationAbortedError);
    await expect(topology.removeNode(D, { signal: aborted })).rejects.toBeInstanceOf(OperationAbortedError);
    await expect(topology.forgetEverywhere(D, { signal: aborted })).rejects.toBeInstanceOf(OperationAbortedError);
    await expect(topology.replicate(D, A, { signal: aborted })).rejects.toBeInstanceOf(OperationAbortedError);
    await topology.close();
  });

  it('refuses bad arguments before the operation lease is asked for', async () => {
    const asked: string[] = [];
    const store: LeaseStore = {
      acquire: async (request) => {
        asked.push(request.holder.operation);
        throw new Error('the lease store must not be reached');
      },
      renew: async () => ({ renewed: false }),
      release: async () => undefined,
      read: async () => undefined,
      breakLease: async () => false,
    };
    const topology = new ClusterTopology({ seeds: [{ host: '127.0.0.1', port: 1 }], lock: { store } });
    const controller = new FailoverController(topology);
    await expect(controller.failover('nope')).rejects.toThrow(InvalidArgumentError);
    await expect(controller.failover(D, { mode: 'hard' as never })).rejects.toThrow(InvalidArgumentError);
    await expect(controller.replaceNode(D, { host: '', port: 1 })).rejects.toThrow(InvalidArgumentError);
    await expect(controller.executeRehome({} as never)).rejects.toThrow(/plan/);
    await expect(controller.executeSpread({} as never)).rejects.toThrow(/plan/);
    await expect(controller.spreadMasters({ timeoutMs: -1 })).rejects.toThrow(/timeoutMs/);
    await expect(topology.addNode({ host: '127.0.0.1', port: 70_000 }, { as: 'master' })).rejects.toThrow(InvalidArgumentError);
    await expect(topology.removeNode('nope')).rejects.toThrow(InvalidArgumentError);
    await expect(topology.forgetEverywhere(D, { timeoutMs: 90_000 })).rejects.toThrow(/CLUSTER FORGET ban/);
    await expect(topology.replicate(D, 'nope')).rejects.toThrow(InvalidArgumentError);
    await expect(topology.fix({ concurrentSlots: 0 })).rejects.toThrow(/concurrentSlots/);
    await expect(topology.executeFix({} as never)).rejects.toThrow(/fix plan/);
    expect(asked).toEqual([]);
    await topology.close();
  });

  it('merges options once over the defaults and validates them', () => {
    expect(resolveFailoverControllerOptions()).toEqual(DEFAULT_FAILOVER_CONTROLLER_OPTIONS);
    expect(resolveFailoverControllerOptions({ watchIntervalMs: 250 })).toEqual({ ...DEFAULT_FAILOVER_CONTROLLER_OPTIONS, watchIntervalMs: 250 });
    expect(() => resolveFailoverControllerOptions({ failoverTimeoutMs: Number.NaN })).toThrow(/failoverTimeoutMs/);
    expect(() => new FailoverController({} as never)).toThrow(/ClusterTopology/);
  });
});
