import type { ClusterState } from '../model/cluster-state';
import { sleep } from '../util/abort';
import { diffSnapshots, snapshotOf, type WatchSnapshot } from './watch-diff';
import type { WatchErrorEvent, WatchEvent } from './watch-events';

/** A running watch. */
export interface WatchHandle {
  /** Stops polling; resolves once the loop has ended (no event is emitted after). */
  stop(): Promise<void>;
  /** Resolves when the loop ends (stop(), the signal, or the controller's stop()). */
  readonly done: Promise<void>;
  readonly running: boolean;
  /** `await using watch = controller.watch()` stops it at the end of the block. */
  [Symbol.asyncDispose](): Promise<void>;
}

export interface WatchSink {
  event(event: WatchEvent): void;
  error(event: WatchErrorEvent): void;
  started(event: { intervalMs: number; at: number }): void;
  stopped(event: { polls: number; at: number }): void;
}

/**
 * Polls `snapshot` every `intervalMs`, diffs each snapshot against the previous one
 * (diffSnapshots) and hands the events to `sink`. A failed snapshot is reported and skipped.
 * Ends when stop() is called or `signal` fires.
 */
export function startWatch(snapshot: () => Promise<ClusterState>, options: { intervalMs: number; signal?: AbortSignal }, sink: WatchSink): WatchHandle {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted === true) controller.abort();
  let running = true;

  const loop = async (): Promise<void> => {
    let previous: WatchSnapshot | undefined;
    let failures = 0;
    let polls = 0;
    sink.started({ intervalMs: options.intervalMs, at: Date.now() });
    while (!controller.signal.aborted) {
      try {
        // stop() must not wait on a snapshot that hangs (a frozen node): race it with the abort.
        const state = await untilAborted(snapshot(), controller.signal);
        if (state === undefined) break;
        polls++;
        const next = snapshotOf(state);
        const events = diffSnapshots(previous, next);
        previous = next;
        failures = 0;
        for (const event of events) sink.event(event);
      } catch (error) {
        failures++;
        if (!controller.signal.aborted) sink.error({ message: error instanceof Error ? error.message : String(error), consecutive: failures, at: Date.now() });
      }
      try {
        await sleep(options.intervalMs, controller.signal, 'watch');
      } catch {
        break;
      }
    }
    options.signal?.removeEventListener('abort', onAbort);
    running = false;
    sink.stopped({ polls, at: Date.now() });
  };
  // A listener that throws must not leave a rejected promise behind: the loop simply ends.
  const done = loop().catch(() => {
    running = false;
  });

  return {
    async stop() {
      controller.abort();
      await done;
    },
    async [Symbol.asyncDispose]() {
      controller.abort();
      await done;
    },
    done,
    get running() {
      return running;
    },
  };
}

/** Resolves with the promise's value, or with undefined as soon as the signal fires. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise<T | undefined>((resolve, reject) => {
    const onAbort = (): void => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(signal.aborted ? undefined : value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) resolve(undefined);
        else reject(error);
      },
    );
  });
}
