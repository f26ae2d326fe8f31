import { NodePool, parseClusterNodes, type NodeAddress } from '../../src/index';

/**
 * Samples CLUSTER NODES of every given node every `intervalMs` and keeps the most slots seen open
 * (MIGRATING or IMPORTING anywhere, each slot counted once) at one moment: works for any tool.
 */
export function sampleOpenSlots(nodes: readonly NodeAddress[], intervalMs = 10): { stop: () => Promise<number> } {
  const pool = new NodePool({ commandTimeoutMs: 5000 });
  let most = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const views = await Promise.all(nodes.map((node) => pool.get(node).call(['CLUSTER', 'NODES']).catch(() => '')));
      const open = new Set<number>();
      for (const view of views) {
        const me = parseClusterNodes(String(view)).find((info) => info.myself);
        for (const mark of [...(me?.migrating ?? []), ...(me?.importing ?? [])]) open.add(mark.slot);
      }
      most = Math.max(most, open.size);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      await pool.close();
      return most;
    },
  };
}
