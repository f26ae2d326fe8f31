import { isClusterOpsError } from '../errors';

/**
 * `<op>-end`: emitted when an operation ends, whatever the outcome (after `<op>-done` on success).
 * `error` summarises what stopped it; the error itself is thrown to the caller.
 */
export interface OperationEndEvent {
  /** The operation, e.g. `create`, `fix`, `failover`. */
  operation: string;
  status: 'done' | 'failed' | 'aborted';
  elapsedMs: number;
  error?: { code: string; message: string };
}

/** Runs `work`, then emits its end event with a status: done, aborted (code ERR_ABORTED) or failed. */
export async function withEndEvent<T>(operation: string, emit: (event: OperationEndEvent) => void, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    const result = await work();
    emit({ operation, status: 'done', elapsedMs: Date.now() - started });
    return result;
  } catch (error) {
    const status = isClusterOpsError(error, 'ERR_ABORTED') ? 'aborted' : 'failed';
    const code = isClusterOpsError(error) ? error.code : error instanceof Error ? error.name : 'UNKNOWN';
    emit({ operation, status, elapsedMs: Date.now() - started, error: { code, message: error instanceof Error ? error.message : String(error) } });
    throw error;
  }
}
