import { describe, expectTypeOf, it } from 'vitest';
import {
  ClusterTopology,
  type AddNodeOptions,
  type AddNodeResult,
  type ForgetResult,
  type MembershipStepEvent,
  type NodeAddedEvent,
  type NodeForgottenEvent,
  type NodeRemovedEvent,
  type NodeTimeoutRestoredEvent,
  type NodeTimeoutRestoreFailedEvent,
  type RemoveNodeResult,
  type ReplicaMovedEvent,
  type ReplicateResult,
} from '../../../src/index';

describe('ClusterTopology membership events and methods', () => {
  it('types each membership listener by event name', () => {
    const topology = new ClusterTopology({ seeds: [] });
    topology.on('membership-step', (event) => expectTypeOf(event).toEqualTypeOf<MembershipStepEvent>());
    topology.on('node-added', (event) => expectTypeOf(event).toEqualTypeOf<NodeAddedEvent>());
    topology.on('node-removed', (event) => expectTypeOf(event).toEqualTypeOf<NodeRemovedEvent>());
    topology.on('node-forgotten', (event) => expectTypeOf(event).toEqualTypeOf<NodeForgottenEvent>());
    topology.on('replica-moved', (event) => expectTypeOf(event).toEqualTypeOf<ReplicaMovedEvent>());
    topology.on('membership-step', (event) => expectTypeOf(event.step).toEqualTypeOf<MembershipStepEvent['step']>());
    topology.on('node-timeout-restored', (event) => expectTypeOf(event).toEqualTypeOf<NodeTimeoutRestoredEvent>());
    topology.on('node-timeout-restore-failed', (event) => expectTypeOf(event).toEqualTypeOf<NodeTimeoutRestoreFailedEvent>());
    // @ts-expect-error unknown event names do not compile
    topology.on('nodeAdded', () => undefined);
  });

  it('types the membership methods', () => {
    const topology = new ClusterTopology({ seeds: [] });
    expectTypeOf(topology.addNode).parameter(1).toEqualTypeOf<AddNodeOptions>();
    expectTypeOf<AddNodeOptions['as']>().toEqualTypeOf<'master' | 'replica'>();
    expectTypeOf<Extract<AddNodeOptions, { as: 'replica' }>['of']>().toEqualTypeOf<string | undefined>();
    expectTypeOf(topology.addNode).returns.resolves.toEqualTypeOf<AddNodeResult>();
    expectTypeOf(topology.removeNode).returns.resolves.toEqualTypeOf<RemoveNodeResult>();
    expectTypeOf(topology.forgetEverywhere).returns.resolves.toEqualTypeOf<ForgetResult>();
    expectTypeOf(topology.replicate).returns.resolves.toEqualTypeOf<ReplicateResult>();
    // @ts-expect-error `as` is required
    void topology.addNode({ host: '127.0.0.1', port: 7000 }, {});
    // @ts-expect-error `of` belongs to replicas only
    void topology.addNode({ host: '127.0.0.1', port: 7000 }, { as: 'master', of: 'x' });
  });
});
