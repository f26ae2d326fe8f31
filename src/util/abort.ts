import { OperationAbortedError } from '../errors';

/** Throws OperationAbortedError if the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined, operation: string): void {
  if (signal?.aborted === true) throw new OperationAbortedError(operation, reasonText(signal.reason));
}

/** Resolves after `ms`, or rejects with OperationAbortedError as soon as the signal fires. */
export function sleep(ms: number, signal?: AbortSignal, operation = 'wait'): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(new OperationAbortedError(operation, reasonText(signal.reason)));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new OperationAbortedError(operation, reasonText(signal?.reason)));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function reasonText(reason: unknown): string {
  if (reason instanceof Error) return reason.message;
  return reason === undefined ? '' : String(reason);
}
