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

  it('back to back: fails one shard over four times in a row, each call straight after the last, and loses no acknowledged write', async () => {
    const controller = new FailoverController(topology);
    const start = await topology.refresh();
    const shard = start.slotOwners[1]!;
    const load = startWriters(client, 16, 'b2b');
    await waitFor(() => load.acked.size >= 500);
    const epochs: number[] = [];
    const waits: number[] = [];
    const waitEvents: string[] = [];
    controller.on('failover-wait', (event) => waitEvents.push(event.masterId));
    let master = shard.id;
    for (let round = 0; round < 4; round++) {
      // The last round's old master is this round's candidate, possibly still resyncing: failover()
      // waits for its link instead of sending a CLUSTER FAILOVER that Redis would drop.
      const replica = (await topology.refresh()).replicasOf(master)[0]!;
      const result = await controller.failover(replica.id, { mode: 'default' });
      waits.push(result.voteWaitMs);
      expect(result.newMasterId).toBe(replica.id);
      expect(result.oldMasterId).toBe(master);
      epochs.push(result.configEpoch);
      master = replica.id;
    }
    const ackedAtEnd = load.acked.size;
    await waitFor(() => load.acked.size >= ackedAtEnd + 500);
    await load.stop();

    // Round 3 fails over the shard's original master again, which the others voted about in round 1:
    // Redis refuses those votes for 2 x cluster-node-timeout, so failover() waits first instead of
    // timing out. (Round 4's window, from round 2, has mostly passed during that wait.)
    expect(waits.slice(0, 2)).toEqual([0, 0]);
    expect(waits[2]).toBeGreaterThan(1000);
    expect(waitEvents[0]).toBe(shard.id);
    expect(load.failed).toEqual([]);
    expect(epochs).toEqual([...epochs].sort((a, b) => a - b));
    expect(new Set(epochs).size).toBe(4);
    const after = await topology.refresh();
    expect(after.node(shard.id)!.role).toBe('master'); // four switches: the original master is back
    expect(after.node(shard.id)!.slots.size).toBe(shard.slots.size);
    const reader = local.client();
    try {
      await new Promise((resolve) => reader.once('ready', resolve));
      const ids = [...load.acked.keys()];
      const values = await Promise.all(ids.map((i) => reader.get(`b2b:${i}`)));
      expect(ids.filter((i, index) => values[index] !== `v${i}`)).toEqual([]);
    } finally {
      reader.disconnect();
    }
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  const result = await pollUntil(async () => ({ done: condition() }), { timeoutMs: 30_000, operation: 'write load' });
  if (!result.done) throw new Error('the write load made no progress within 30 s');
}
