import { ClusterOpsError } from '../errors';
import { listKeys, printableKey, type KeyName } from '../model/key-name';
import { asSentence } from '../sentence';
import type { ImportCursor } from './import-options';

/** Keys of the source that exist on the target with other values (conflict policy 'fail'). Nothing was overwritten. */
export class ImportConflictError extends ClusterOpsError {
  /** The names in printable form (see printableKey). */
  readonly keys: readonly string[];
  /** The names as bytes, exactly as stored. */
  readonly rawKeys: readonly KeyName[];
  readonly cursor: ImportCursor;

  constructor(keys: readonly KeyName[], cursor: ImportCursor) {
    super(
      'ERR_IMPORT_CONFLICT',
      `${keys.length} key(s) already exist in the target cluster with other values (${listKeys(keys)}). ` +
        `Nothing was overwritten and they are still on the source. Pass replace: true to overwrite them, or remove them from the target, then resume with resumeFrom: error.cursor.`,
      { details: { keys: keys.slice(0, 100).map(printableKey), cursor } },
    );
    this.keys = keys.map(printableKey);
    this.rawKeys = keys;
    this.cursor = cursor;
  }
}

/** The import stopped (error or abort); `cursor` resumes it. An abort has code `ERR_ABORTED` (an ImportAbortedError). */
export class ImportFailedError extends ClusterOpsError {
  readonly cursor: ImportCursor;
  readonly aborted: boolean;

  constructor(cursor: ImportCursor, cause: unknown, aborted: boolean) {
    super(aborted ? 'ERR_ABORTED' : 'ERR_IMPORT_FAILED', `Import ${aborted ? 'aborted' : 'failed'}: ${asSentence(cause instanceof Error ? cause.message : String(cause))} Resume with importData({ ..., resumeFrom: error.cursor }).`, {
      cause,
      details: { cursor },
    });
    this.cursor = cursor;
    this.aborted = aborted;
  }
}

/** The caller's AbortSignal stopped the import: code `ERR_ABORTED`; `cursor` resumes it. */
export class ImportAbortedError extends ImportFailedError {
  constructor(cursor: ImportCursor, cause: unknown) {
    super(cursor, cause, true);
  }
}
