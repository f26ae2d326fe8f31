import { createHash } from 'node:crypto';
import type { Cluster } from 'ioredis';

/** Writes `count` string keys `prefix:{i}` (spread over all slots) with deterministic values. */
export async function writeKeys(client: Cluster, count: number, options: { prefix?: string; valueBytes?: number } = {}): Promise<void> {
  const prefix = options.prefix ?? 'key';
  const size = options.valueBytes ?? 32;
  const batch = 500;
  for (let start = 0; start < count; start += batch) {
    const writes: Promise<unknown>[] = [];
    for (let i = start; i < Math.min(count, start + batch); i++) writes.push(client.set(`${prefix}:${i}`, valueFor(prefix, i, size)));
    await Promise.all(writes);
  }
}

export function valueFor(prefix: string, i: number, size = 32): string {
  const seed = `${prefix}:${i}:`;
  return seed.repeat(Math.ceil(size / seed.length)).slice(0, size);
}

/** Key count and a SHA-256 over every key and value, in key order, from every master. */
export async function clusterDigest(client: Cluster): Promise<{ keys: number; sha256: string }> {
  // The client's view of the masters may predate a node added or removed by the test: refresh it first.
  await new Promise<void>((resolve, reject) => client.refreshSlotsCache((error) => (error ? reject(error) : resolve())));
  const keys: string[] = [];
  await Promise.all(
    client.nodes('master').map(async (node) => {
      let cursor = '0';
      do {
        const [next, batch] = await node.scan(cursor, 'COUNT', 1000);
        cursor = next;
        keys.push(...batch);
      } while (cursor !== '0');
    }),
  );
  keys.sort();
  const hash = createHash('sha256');
  for (let i = 0; i < keys.length; i += 500) {
    const slice = keys.slice(i, i + 500);
    const values = await Promise.all(slice.map((key) => client.dump(key)));
    slice.forEach((key, index) => {
      hash.update(key);
      hash.update('\0');
      hash.update(values[index] ?? Buffer.alloc(0));
    });
  }
  return { keys: keys.length, sha256: hash.digest('hex') };
}
