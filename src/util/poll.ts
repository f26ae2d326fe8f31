import { sleep, throwIfAborted } from './abort';

export interface PollOptions {
  timeoutMs: number;
  /** First delay between attempts; grows by 1.5x up to maxIntervalMs. */
  intervalMs?: number;
  maxIntervalMs?: number;
  signal?: AbortSignal;
  operation: string;
}

/**
 * Calls `attempt` until it returns `{ done: true }` or time runs out; then resolves with the
 * last result (done or not), so the caller can build an error from what still disagrees.
 */
export async function pollUntil<T extends { done: boolean }>(attempt: () => Promise<T>, options: PollOptions): Promise<T & { elapsedMs: number; attempts: number }> {
  const started = Date.now();
  let interval = options.intervalMs ?? 25;
  let attempts = 0;
  for (;;) {
    throwIfAborted(options.signal, options.operation);
    attempts++;
    const result = await attempt();
    const elapsedMs = Date.now() - started;
    if (result.done || elapsedMs >= options.timeoutMs) return { ...result, elapsedMs, attempts };
    await sleep(Math.min(interval, Math.max(1, options.timeoutMs - elapsedMs)), options.signal, options.operation);
    interval = Math.min(interval * 1.5, options.maxIntervalMs ?? 250);
  }
}
