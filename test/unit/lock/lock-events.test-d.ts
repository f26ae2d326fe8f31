import { describe, expectTypeOf, it } from 'vitest';
import { ClusterTopology, type LeaseAcquiredEvent, type LeaseBrokenEvent, type LeaseLostEvent, type LeaseRefusedEvent, type LeaseRecord } from '../../../src/index';

describe('OperationLock events', () => {
  it('types each listener by event name', () => {
    const topology = new ClusterTopology({ seeds: [] });
    topology.lock.on('lease-acquired', (event) => expectTypeOf(event).toEqualTypeOf<LeaseAcquiredEvent>());
    topology.lock.on('lease-refused', (event) => expectTypeOf(event).toEqualTypeOf<LeaseRefusedEvent>());
    topology.lock.on('lease-lost', (event) => expectTypeOf(event.reason).toEqualTypeOf<LeaseLostEvent['reason']>());
    topology.lock.on('lease-broken', (event) => expectTypeOf(event).toEqualTypeOf<LeaseBrokenEvent>());
    expectTypeOf(topology.breakLock).returns.resolves.toEqualTypeOf<LeaseRecord | undefined>();
    // @ts-expect-error event names are kebab-case and fixed
    topology.lock.on('leaseLost', () => undefined);
  });
});
