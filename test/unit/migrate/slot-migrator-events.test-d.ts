import { describe, expectTypeOf, it } from 'vitest';
import { ClusterTopology, SlotMigrator, type BatchEvent, type MigrationPlan, type ProgressEvent, type SlotMovedEvent } from '../../../src/index';

describe('SlotMigrator events', () => {
  it('types each listener by event name', () => {
    const migrator = new SlotMigrator(new ClusterTopology({ seeds: [] }));
    migrator.on('plan-ready', (plan) => expectTypeOf(plan).toEqualTypeOf<MigrationPlan>());
    migrator.on('slot-moved', (event) => expectTypeOf(event).toEqualTypeOf<SlotMovedEvent>());
    migrator.on('batch', (event) => expectTypeOf(event).toEqualTypeOf<BatchEvent>());
    migrator.on('progress', (event) => expectTypeOf(event).toEqualTypeOf<ProgressEvent>());
    migrator.on('end', (event) => expectTypeOf(event.status).toEqualTypeOf<'done' | 'aborted' | 'failed'>());
    // @ts-expect-error event names are kebab-case and fixed
    migrator.on('slotMoved', () => undefined);
  });
});
