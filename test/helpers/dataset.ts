import { createHash } from 'node:crypto';
import { Redis, type Cluster } from 'ioredis';
import { DEFAULT_OPERATION_LOCK_OPTIONS } from '../../src/index';

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

/** The operation lease's key: not user data (it exists while an operation runs, or until a crashed holder's lease is taken over). */
const LEASE_KEY = Buffer.from(DEFAULT_OPERATION_LOCK_OPTIONS.key);

/**
 * Key count and a SHA-256 over every key but the operation lease and its DUMP, in key order, read from every master that
 * serves slots. The masters are found from the cluster itself (CLUSTER NODES of a member), not from
 * the client's slot cache, which may still name a node a test just removed.
 */
export async function clusterDigest(client: Cluster): Promise<{ keys: number; sha256: string }> {
  const masters = await mastersWithSlots(client);
  const password = client.options.redisOptions?.password;
  const tls = client.options.redisOptions?.tls;
  const connections = masters.map(({ host, port }) => new Redis({ host, port, lazyConnect: true, ...(password === undefined ? {} : { password }), ...(tls === undefined ? {} : { tls }) }));
  try {
    // Key names as bytes: a string round trip would merge distinct binary names.
    const keyed: { key: Buffer; node: Redis }[] = [];
    for (const node of connections) {
      let cursor = '0';
      do {
        const [next, batch] = await node.scanBuffer(cursor, 'COUNT', 1000);
        cursor = next.toString();
        for (const key of batch) if (!key.equals(LEASE_KEY)) keyed.push({ key, node });
      } while (cursor !== '0');
    }
    keyed.sort((a, b) => Buffer.compare(a.key, b.key));
    const hash = createHash('sha256');
    for (let i = 0; i < keyed.length; i += 500) {
      const slice = keyed.slice(i, i + 500);
      const values = await Promise.all(slice.map(({ key, node }) => node.dumpBuffer(key)));
      slice.forEach(({ key }, index) => {
        hash.update(key);
        hash.update('\0');
        // A DUMP payload ends with the RDB version (2 bytes) and a CRC64 (8 bytes): leave them out, so a
        // value moved to a node of another server version (a mixed-version cluster) digests the same.
        hash.update((values[index] ?? Buffer.alloc(10)).subarray(0, -10));
      });
    }
    return { keys: keyed.length, sha256: hash.digest('hex') };
  } finally {
    for (const connection of connections) connection.disconnect();
  }
}

/** Masters that claim slots in their own CLUSTER NODES line, asked of every node the client knows until one lists the cluster. */
async function mastersWithSlots(client: Cluster): Promise<{ host: string; port: number }[]> {
  const startup = (client as unknown as { startupNodes: { host: string; port: number }[] }).startupNodes ?? [];
  const candidates = [...client.nodes('all').map((n) => ({ host: n.options.host as string, port: n.options.port as number })), ...startup];
  const password = client.options.redisOptions?.password;
  const tls = client.options.redisOptions?.tls;
  for (const candidate of candidates) {
    const probe = new Redis({ host: candidate.host, port: candidate.port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, ...(password === undefined ? {} : { password }), ...(tls === undefined ? {} : { tls }) });
    probe.on('error', () => undefined);
    try {
      const lines = String(await probe.call('CLUSTER', 'NODES')).split('\n').filter((l) => l.trim() !== '');
      if (lines.length < 2) continue; // a node forgotten and reset knows only itself
      return lines
        .map((line) => line.split(' '))
        .filter((f) => (f[2] ?? '').split(',').includes('master') && !(f[2] ?? '').split(',').includes('fail') && f.length > 8)
        .map((f) => {
          const address = (f[1] ?? '').split('@')[0] ?? '';
          const at = address.lastIndexOf(':');
          return { host: address.slice(0, at), port: Number(address.slice(at + 1)) };
        });
    } catch {
      // try the next one
    } finally {
      probe.disconnect();
    }
  }
  throw new Error('clusterDigest: no node answered CLUSTER NODES');
}
