import type { ImportCursor } from './import-options';

export interface ImportProgressEvent {
  /** The source node being scanned. */
  source: string;
  scannedKeys: number;
  movedKeys: number;
  skippedKeys: number;
  keysPerSecond: number;
  /** Pass as resumeFrom to continue from here. */
  cursor: ImportCursor;
}

/** A batch is tried again after the target cluster moved a slot under it. */
export interface ImportRetryEvent {
  /** The source node whose batch is retried. */
  source: string;
  /** The attempt that failed, from 1. */
  attempt: number;
  retriesLeft: number;
  /** The reply code that made it retryable: MOVED, ASK, TRYAGAIN or CLUSTERDOWN. */
  code: string;
  /** The target's reply (never holds secrets). */
  reason: string;
}

/** The sources were resolved. */
export interface ImportStartEvent {
  sources: string[];
  /** True when the source is a cluster (every master is imported). */
  cluster: boolean;
}

/** importData() ended: done, aborted or failed (always emitted). */
export interface ImportEndEvent {
  status: 'done' | 'aborted' | 'failed';
  movedKeys: number;
  skippedKeys: number;
  elapsedMs: number;
}

/** Typed events of Importer. */
export interface ImporterEvents {
  /** The sources were resolved (a standalone node, or each master of a source cluster). */
  start: (event: ImportStartEvent) => void;
  /** After each SCAN batch has been moved. */
  progress: (event: ImportProgressEvent) => void;
  /** A batch is retried because a target slot moved (MOVED / ASK / TRYAGAIN). */
  retry: (event: ImportRetryEvent) => void;
  end: (event: ImportEndEvent) => void;
}
