import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cluster } from 'ioredis';
import { ClusterTopology, FailoverController, keySlot, LocalCluster } from '../../src/index';
import { pollUntil } from '../../src/util/poll';
import { startWriters } from '../helpers/sequential-writers';
import { startTestCluster, stopTestCluster } from '../helpers/test-cluster';

describe('a default-mode failover under an ioredis write load', () => {
  let local: LocalCluster;
  let topology: ClusterTopology;
  let client: Cluster;

  beforeAll(async () => {
    ({ local, topology, client } = await startTestCluster({ host: ['127.0.0.1', '127.0.0.2', '127.0.0.3'], nodeTimeoutMs: 2000, config: { 'repl-diskless-sync-delay': 0 } }, { client: { maxRedirections: 32, retryDelayOnMoved: 20, retryDelayOnFailover: 50 } }));
    await client.set('warm', '1');
  });
  afterAll(() => stopTestCluster({ local, topology, client }));

  it('loses no acknowledged write: every write the client saw succeed is readable afterwards with its value', async () => {
    const controller = new FailoverController(topology);
    const state = await topology.refresh();
    const replica = state.replicasOf(state.slotOwners[0]!.id)[0]!;

    const load = startWriters(client, 16);
    // Let writes flow before, during and after the failover.
    await waitFor(() => load.acked.size >= 500);
    const switchStarted = Date.now();
    const result = await controller.failover(replica.id, { mode: 'default' });
    const switchEnded = Date.now();
    const ackedAtSwitch = load.acked.size;
    await waitFor(() => load.acked.size >= ackedAtSwitch + 500);
    await load.stop();

    expect(result.newMasterId).toBe(replica.id);
    // The load did hit the master being replaced while it was being replaced.
    const switched = state.slotOwners[0]!.slots;
    const duringSwitch = [...load.acked].filter(([i, at]) => at >= switchStarted && at <= switchEnded && switched.has(keySlot(`load:${i}`)));
    expect(duringSwitch.length).toBeGreaterThan(0);
    const reader = local.client();
    try {
      await new Promise((resolve) => reader.once('ready', resolve));
      const ids = [...load.acked.keys()];
      const values = await Promise.all(ids.map((i) => reader.get(`load:${i}`)));
      const missing = ids.filter((i, index) => values[index] !== `v${i}`);
      expect(missing).toEqual([]);
      expect(ids.length).toBeGreaterThan(1000);
    } finally {
      reader.disconnect();
    }
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  const result = await pollUntil(async () => ({ done: condition() }), { timeoutMs: 30_000, operation: 'write load' });
  if (!result.done) throw new Error('the write load made no progress within 30 s');
}
