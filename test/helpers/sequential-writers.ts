import type { Cluster } from 'ioredis';

export interface SequentialWriters {
  /** Key number -> when its write was acknowledged (ms since epoch). */
  acked: Map<number, number>;
  failed: { at: number; error: string }[];
  /** How many writes were sent. */
  sent: () => number;
  stop: () => Promise<void>;
}

/**
 * Writes `PREFIX:{i}` = `v{i}` for i = 0, 1, 2... from `inFlight` concurrent writers until stopped,
 * recording every acknowledgement with its time and every failure. For fault tests and benchmarks
 * that count acknowledged writes missing after a failover.
 */
export function startWriters(client: Cluster, inFlight: number, prefix = 'load'): SequentialWriters {
  const acked = new Map<number, number>();
  const failed: { at: number; error: string }[] = [];
  let next = 0;
  let running = true;
  const writer = async (): Promise<void> => {
    while (running) {
      const i = next++;
      try {
        await client.set(`${prefix}:${i}`, `v${i}`);
        acked.set(i, Date.now());
      } catch (error) {
        failed.push({ at: Date.now(), error: error instanceof Error ? error.message : String(error) });
        // A client that rejects at once would otherwise spin on microtasks and starve every timer.
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
  };
  const writers = Array.from({ length: inFlight }, () => writer());
  return {
    acked,
    failed,
    sent: () => next,
    stop: async () => {
      running = false;
      await Promise.all(writers);
    },
  };
}
