import { formatAddress, NodePool, type NodeAddress } from '../../src/index';

/** Resolves when every node reports cluster_state:ok (polled every 10 ms); returns when that was. */
export async function waitAllOk(nodes: readonly NodeAddress[], timeoutMs = 60_000): Promise<number> {
  const pool = new NodePool();
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const states = await Promise.all(nodes.map(async (node) => (await pool.get(formatAddress(node)).clusterInfo().catch(() => ({}) as Record<string, string>))['cluster_state']));
      if (states.every((state) => state === 'ok')) return Date.now();
      if (Date.now() > deadline) throw new Error(`cluster not ok after ${timeoutMs} ms: ${states.join(',')}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    await pool.close();
  }
}
