import type { NodeAddress } from '../model/address';
import { NodeClient } from '../net/node-client';
import type { NodePool } from '../net/node-pool';

/**
 * Compares the source's and the target's copy of each key (DUMP payloads). The target may not
 * own the slot yet (IMPORTING), so it is read with ASKING on a private connection: ASKING only
 * holds for the next command, and nothing else may run in between.
 */
export async function compareTargetCopies(
  pool: NodePool,
  source: NodeClient,
  target: NodeAddress,
  keys: readonly string[],
): Promise<{ same: string[]; different: string[] }> {
  const same: string[] = [];
  const different: string[] = [];
  if (keys.length === 0) return { same, different };
  const inspector = new NodeClient(target, pool.options);
  try {
    for (const key of keys) {
      const [mine, theirs] = await Promise.all([
        source.call(['DUMP', key], { buffer: true }).catch(() => null),
        (async () => {
          await inspector.call(['ASKING']);
          return inspector.call(['DUMP', key], { buffer: true }).catch(() => null);
        })(),
      ]);
      if (theirs === null || mine === null) continue;
      (Buffer.compare(toBuffer(mine), toBuffer(theirs)) === 0 ? same : different).push(key);
    }
  } finally {
    await inspector.close();
  }
  return { same, different };
}

function toBuffer(value: unknown): Buffer {
  return Buffer.isBuffer(value) ? value : Buffer.from(String(value), 'binary');
}
