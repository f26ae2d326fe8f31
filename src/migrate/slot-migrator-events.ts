import type { MigrationPlan } from '../plan/migration-plan';
import type { LatencyReport } from './latency-stats';

export type { LatencyReport };

export interface SlotStartEvent {
  planId: string;
  slot: number;
  from: string;
  to: string;
  /** Keys in the slot when it started (COUNTKEYSINSLOT). */
  keys: number;
}

export interface SlotMovedEvent {
  planId: string;
  slot: number;
  from: string;
  to: string;
  keys: number;
  bytes: number;
  elapsedMs: number;
}

export interface BatchEvent {
  planId: string;
  slot: number;
  keys: number;
  /** MEMORY USAGE of the batch, summed: what MIGRATE carried, roughly. */
  bytes: number;
  /** MIGRATE's timeout for this batch, adapted to its bytes. */
  timeoutMs: number;
  elapsedMs: number;
}

export interface ProgressEvent {
  planId: string;
  doneSlots: number;
  totalSlots: number;
  movedKeys: number;
  movedBytes: number;
  /** Keys per second since execute() started. */
  keysPerSecond: number;
  /** Estimated ms left, from the slot rate so far. */
  etaMs: number;
  /** What the move cost the sources' clients so far: MIGRATE blocking and the probe's round trips. */
  latency: LatencyReport;
}

export interface RetryEvent {
  planId: string;
  slot: number;
  attempt: number;
  reason: string;
  /** The next batch size and timeout. */
  keysPerBatch: number;
  timeoutMs: number;
}

export interface ConvergenceWaitEvent {
  planId: string;
  phase: 'before' | 'after';
  elapsedMs: number;
}

export interface MigrationEndEvent {
  planId: string;
  status: 'done' | 'aborted' | 'failed';
  doneSlots: number;
  totalSlots: number;
  movedKeys: number;
  movedBytes: number;
  elapsedMs: number;
  /** Slots skipped because the journal or the cluster showed them done already. */
  skippedSlots: number;
  /** What the move cost the sources' clients: MIGRATE blocking and the probe's round trips, over the run. */
  latency: LatencyReport;
}

/** execute() began. */
export interface MigrationStartEvent {
  planId: string;
  totalSlots: number;
  /** Slots the journal or the cluster showed done already. */
  skippedSlots: number;
}

/** Typed events of SlotMigrator. Payloads are plain data: ids, slots, numbers. */
export interface SlotMigratorEvents {
  /** A plan was made by planReshard/planRebalance/planDrain. */
  'plan-ready': (plan: MigrationPlan) => void;
  /** execute() began (after the journal and the cluster were read). */
  start: (event: MigrationStartEvent) => void;
  /** A slot with keys started moving. */
  'slot-start': (event: SlotStartEvent) => void;
  /** A batch of keys moved (one MIGRATE). */
  batch: (event: BatchEvent) => void;
  /** A slot now belongs to its target on every master. */
  'slot-moved': (event: SlotMovedEvent) => void;
  /** After each finished slot or group of empty slots. */
  progress: (event: ProgressEvent) => void;
  /** A batch is retried (IOERR/timeout: smaller batch, longer timeout). */
  retry: (event: RetryEvent) => void;
  /** execute() waited for the cluster to agree. */
  'convergence-wait': (event: ConvergenceWaitEvent) => void;
  /** execute() finished, was aborted, or failed. */
  end: (event: MigrationEndEvent) => void;
}
