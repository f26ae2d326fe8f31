import type { NodeAddress } from '../model/address';
import { NodeClient } from '../net/node-client';
import type { ResolvedConnectionOptions } from '../net/connection-options';

/**
 * A client's view of the sources during a migration: one connection of its own per source (never the
 * pool's, where our MIGRATEs queue) sends PING every `intervalMs` and hands each round trip to `record`.
 * Measured from the SDK's process, so its own event loop delays count too (the figure errs high).
 */
export function startClientProbe(sources: readonly NodeAddress[], options: ResolvedConnectionOptions, intervalMs: number, record: (ms: number) => void): { stop: () => Promise<void> } {
  let running = true;
  const clients = sources.map((source) => new NodeClient(source, options));
  const loops = clients.map(async (client) => {
    while (running) {
      const sent = performance.now();
      try {
        await client.call(['PING']);
        if (running) record(performance.now() - sent);
      } catch {
        // A source that does not answer is the migration's business (it stops with a typed error), not the probe's.
      }
      if (running) await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(clients.map((client) => client.close()));
      await Promise.all(loops);
    },
  };
}
