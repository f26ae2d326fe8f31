import type { Cluster } from 'ioredis';

export interface LoadResult {
  /** key -> last acknowledged value. */
  acknowledged: Map<string, string>;
  failures: { key: string; error: string; at: number }[];
  reads: number;
  latenciesMs: number[];
}

/**
 * Runs SET/GET on `keys` distinct keys (round-robin, a few in flight) until stop() resolves;
 * records each acknowledged write and each failure. For fault and benchmark runs only.
 */
export function startLoad(client: Cluster, options: { keys?: number; prefix?: string; concurrency?: number } = {}): { stop: () => Promise<LoadResult> } {
  const keys = options.keys ?? 2000;
  const prefix = options.prefix ?? 'load';
  const result: LoadResult = { acknowledged: new Map(), failures: [], reads: 0, latenciesMs: [] };
  let running = true;
  let counter = 0;
  const worker = async (): Promise<void> => {
    while (running) {
      const n = counter++;
      const key = `${prefix}:${n % keys}`;
      const value = `v${n}`;
      const started = performance.now();
      try {
        await client.set(key, value);
        result.acknowledged.set(key, value);
        const read = await client.get(key);
        result.reads++;
        if (read !== value && result.acknowledged.get(key) === value) result.failures.push({ key, error: `read ${read} after writing ${value}`, at: Date.now() });
      } catch (error) {
        result.failures.push({ key, error: (error as Error).message, at: Date.now() });
      }
      result.latenciesMs.push(performance.now() - started);
    }
  };
  const workers = Array.from({ length: options.concurrency ?? 4 }, worker);
  return {
    stop: async () => {
      running = false;
      await Promise.all(workers);
      return result;
    },
  };
}

/** Acknowledged writes whose value is not what the cluster holds now. */
export async function missingWrites(client: Cluster, acknowledged: Map<string, string>): Promise<string[]> {
  const entries = [...acknowledged];
  const missing: string[] = [];
  for (let i = 0; i < entries.length; i += 200) {
    const slice = entries.slice(i, i + 200);
    const values = await Promise.all(slice.map(([key]) => client.get(key)));
    slice.forEach(([key, value], j) => {
      if (values[j] !== value) missing.push(key);
    });
  }
  return missing;
}
