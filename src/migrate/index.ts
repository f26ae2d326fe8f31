// Public names of the migration domain (SlotMigrator and its plans), re-exported by src/index.ts.
export { SlotMigrator } from './slot-migrator';
export type { ExecuteOptions, MigrationResult } from './slot-migrator';
export { DEFAULT_SLOT_MIGRATOR_OPTIONS } from './slot-migrator-options';
export type { SlotMigratorOptions, ConflictPolicy, AbortPolicy } from './slot-migrator-options';
export { LatencyController } from './latency-controller';
export type { LatencyControllerOptions, BatchLimit, BlockingSample } from './latency-controller';
export type { LatencyReport } from './latency-stats';
export type {
  SlotMigratorEvents,
  SlotStartEvent,
  SlotMovedEvent,
  BatchEvent,
  ProgressEvent,
  RetryEvent,
  ConvergenceWaitEvent,
  MigrationEndEvent,
} from './slot-migrator-events';
export { MigrationFailedError, MigrationAbortedError, ForeignSlotMarkError } from './errors';
export type { MigrationAdvice } from './errors';
export { NodeUnresponsiveError } from '../slot-move/node-unresponsive-error';
export { KeyConflictError } from '../slot-move/key-conflict-error';
export { FileJournal, MemoryJournal } from './journal';
export type { MigrationJournal } from './journal';
export { planReshard } from '../plan/reshard-plan';
export type { ReshardRequest } from '../plan/reshard-plan';
export { planRebalance, DEFAULT_REBALANCE_OPTIONS } from '../plan/rebalance-plan';
export type { RebalanceOptions } from '../plan/rebalance-plan';
export { planDrain } from '../plan/drain-plan';
export type { DrainOptions } from '../plan/drain-plan';
export type { MigrationPlan, SlotMoveGroup } from '../plan/migration-plan';
