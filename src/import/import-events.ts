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

/** Typed events of Importer. */
export interface ImporterEvents {
  /** The sources were resolved (a standalone node, or each master of a source cluster). */
  start: (event: { sources: string[]; cluster: boolean }) => void;
  /** After each SCAN batch has been moved. */
  progress: (event: ImportProgressEvent) => void;
  /** A batch is retried because a target slot moved (MOVED / ASK / TRYAGAIN). */
  retry: (event: { source: string; reason: string }) => void;
  end: (event: { status: 'done' | 'aborted' | 'failed'; movedKeys: number; skippedKeys: number; elapsedMs: number }) => void;
}
