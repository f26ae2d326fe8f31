import type { NodeAddress } from '../model/address';
import type { KeyName } from '../model/key-name';
import { NodeClient } from '../net/node-client';
import type { NodePool } from '../net/node-pool';

/**
 * Compares the source's and the target's copy of each key (DUMP payloads). Either side may not
 * own the slot (MIGRATING / IMPORTING), so both are read with ASKING on private connections:
 * ASKING only holds for the next command, and nothing else may run in between. Keys the source
 * no longer has are left out.
 */
export async function compareTargetCopies(
  pool: NodePool,
  source: NodeAddress,
  target: NodeAddress,
  keys: readonly KeyName[],
): Promise<{ same: KeyName[]; different: KeyName[] }> {
  const same: KeyName[] = [];
  const different: KeyName[] = [];
  if (keys.length === 0) return { same, different };
  const readers = [new NodeClient(source, pool.options), new NodeClient(target, pool.options)] as const;
  try {
    for (const key of keys) {
      const [mine, theirs] = await Promise.all([dumpAsking(readers[0], key), dumpAsking(readers[1], key)]);
      if (mine === null || theirs === null) continue;
      (Buffer.compare(mine, theirs) === 0 ? same : different).push(key);
    }
  } finally {
    await Promise.all(readers.map((reader) => reader.close()));
  }
  return { same, different };
}

async function dumpAsking(reader: NodeClient, key: KeyName): Promise<Buffer | null> {
  await reader.call(['ASKING']);
  const reply = await reader.call(['DUMP', key], { buffer: true }).catch(() => null);
  return Buffer.isBuffer(reply) ? reply : null;
}
