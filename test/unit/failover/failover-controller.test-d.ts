import { describe, expectTypeOf, it } from 'vitest';
import type { Cluster, Redis } from 'ioredis';
import {
  ClusterTopology,
  FailoverController,
  type FailoverResult,
  type FailoverStartEvent,
  type FailoverWaitEvent,
  type MasterDemotedEvent,
  type MasterWithoutReplicasEvent,
  type MembershipChangeEvent,
  type NodeHealthEvent,
  type RehomePlan,
  type ReplaceNodeResult,
  type ReplaceStepEvent,
  type ReplicaPromotedEvent,
  type SpreadMastersPlan,
  type WatchErrorEvent,
  type WatchHandle,
} from '../../../src/index';

describe('FailoverController events and methods', () => {
  it('types each listener by event name', () => {
    const controller = new FailoverController(new ClusterTopology({ seeds: [] }));
    controller.on('failover-start', (event) => expectTypeOf(event).toEqualTypeOf<FailoverStartEvent>());
    controller.on('failover-wait', (event) => expectTypeOf(event).toEqualTypeOf<FailoverWaitEvent>());
    controller.on('failover-done', (event) => expectTypeOf(event).toEqualTypeOf<FailoverResult>());
    controller.on('node-pfail', (event) => expectTypeOf(event).toEqualTypeOf<NodeHealthEvent>());
    controller.on('node-fail', (event) => expectTypeOf(event).toEqualTypeOf<NodeHealthEvent>());
    controller.on('node-recovered', (event) => expectTypeOf(event).toEqualTypeOf<NodeHealthEvent>());
    controller.on('replica-promoted', (event) => expectTypeOf(event).toEqualTypeOf<ReplicaPromotedEvent>());
    controller.on('master-demoted', (event) => expectTypeOf(event).toEqualTypeOf<MasterDemotedEvent>());
    controller.on('master-without-replicas', (event) => expectTypeOf(event).toEqualTypeOf<MasterWithoutReplicasEvent>());
    controller.on('node-joined', (event) => expectTypeOf(event).toEqualTypeOf<MembershipChangeEvent>());
    controller.on('node-left', (event) => expectTypeOf(event).toEqualTypeOf<MembershipChangeEvent>());
    controller.on('watch-error', (event) => expectTypeOf(event).toEqualTypeOf<WatchErrorEvent>());
    controller.on('watch-started', (event) => expectTypeOf(event.intervalMs).toBeNumber());
    controller.on('watch-stopped', (event) => expectTypeOf(event.polls).toBeNumber());
    controller.on('replace-step', (event) => expectTypeOf(event).toEqualTypeOf<ReplaceStepEvent>());
    controller.on('replace-done', (event) => expectTypeOf(event).toEqualTypeOf<ReplaceNodeResult>());
    controller.on('rehome-planned', (plan) => expectTypeOf(plan).toEqualTypeOf<RehomePlan>());
    controller.on('spread-planned', (plan) => expectTypeOf(plan).toEqualTypeOf<SpreadMastersPlan>());
    controller.on('spread-done', (event) => expectTypeOf(event.balanced).toBeBoolean());
    controller.on('rehome-done', (event) => expectTypeOf(event.moved).toBeArray());
    // @ts-expect-error unknown event names do not compile
    controller.on('nodeFail', () => undefined);
  });

  it('types the methods', () => {
    const controller = new FailoverController(new ClusterTopology({ seeds: [] }));
    expectTypeOf(controller.failover).returns.resolves.toEqualTypeOf<FailoverResult>();
    expectTypeOf(controller.watch).returns.toEqualTypeOf<WatchHandle>();
    expectTypeOf(controller.replicaReadCluster).returns.toEqualTypeOf<Cluster>();
    expectTypeOf(controller.openReplica).returns.resolves.toEqualTypeOf<Redis>();
    expectTypeOf<Parameters<FailoverController['failover']>[1]>().toEqualTypeOf<import('../../../src/index').FailoverOptions | undefined>();
    // @ts-expect-error modes are a closed set
    void controller.failover('x', { mode: 'hard' });
  });
});
