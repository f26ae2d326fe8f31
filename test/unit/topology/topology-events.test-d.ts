import { describe, expectTypeOf, it } from 'vitest';
import { ClusterTopology, type CreatePlan, type CreateStepEvent } from '../../../src/index';

describe('ClusterTopology events', () => {
  it('types each listener by event name', () => {
    const topology = new ClusterTopology({ seeds: [] });
    topology.on('create-step', (event) => expectTypeOf(event).toEqualTypeOf<CreateStepEvent>());
    topology.on('create-planned', (plan) => expectTypeOf(plan).toEqualTypeOf<CreatePlan>());
    topology.on('converged', (event) => expectTypeOf(event.elapsedMs).toBeNumber());
    // @ts-expect-error unknown event names do not compile
    topology.on('createStep', () => undefined);
  });
});
