import { ClusterOpsError } from '../errors';
import type { ImportCursor } from './import-options';

/** Keys of the source that exist on the target with other values (conflict policy 'fail'). Nothing was overwritten. */
export class ImportConflictError extends ClusterOpsError {
  readonly keys: readonly string[];
  readonly cursor: ImportCursor;

  constructor(keys: readonly string[], cursor: ImportCursor) {
    super(
      'ERR_IMPORT_CONFLICT',
      `${keys.length} key(s) already exist in the target cluster with other values (${keys.slice(0, 10).join(', ')}${keys.length > 10 ? ', ...' : ''}). ` +
        `Nothing was overwritten and they are still on the source. Pass replace: true to overwrite them, or remove them from the target, then resume with resumeFrom: error.cursor.`,
      { details: { keys: keys.slice(0, 100), cursor } },
    );
    this.keys = keys;
    this.cursor = cursor;
  }
}

/** The import stopped (error or abort); `cursor` resumes it. */
export class ImportFailedError extends ClusterOpsError {
  readonly cursor: ImportCursor;
  readonly aborted: boolean;

  constructor(cursor: ImportCursor, cause: unknown, aborted: boolean) {
    super('ERR_IMPORT_FAILED', `Import ${aborted ? 'aborted' : 'failed'}: ${cause instanceof Error ? cause.message : String(cause)}. Resume with importData({ ..., resumeFrom: error.cursor }).`, {
      cause,
      details: { cursor },
    });
    this.cursor = cursor;
    this.aborted = aborted;
  }
}
