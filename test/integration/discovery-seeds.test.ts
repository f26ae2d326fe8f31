import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterTopology, FailoverController, NotRedisError, SlotMigrator, replicaReadCluster, type LocalCluster } from '../../src/index';
import { startTestCluster, stopTestCluster, type TestCluster } from '../helpers/test-cluster';

/** A TCP server that accepts connections and never says a word: a frozen or firewalled seed. */
async function startSilentServer(): Promise<{ port: number; accepted: () => number; close: () => Promise<void> }> {
  const sockets: Socket[] = [];
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted += 1;
    sockets.push(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address !== null ? address.port : 0,
    accepted: () => accepted,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await run();
  return { value, ms: Date.now() - started };
}

describe('discovery with a seed that never answers', () => {
  let cluster: Partial<TestCluster> = {};
  let local: LocalCluster;
  let silent: Awaited<ReturnType<typeof startSilentServer>>;
  let topology: ClusterTopology;

  beforeAll(async () => {
    cluster = await startTestCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 2000, config: { 'repl-diskless-sync-delay': 0 } });
    local = cluster.local!;
    silent = await startSilentServer();
    // Default timeouts: a handshake with the silent seed is given up after 3 s + 10 s.
    topology = new ClusterTopology({ seeds: [{ host: '127.0.0.1', port: silent.port }, local.seeds[0]!] });
  });
  afterAll(async () => {
    await topology?.close();
    await silent?.close();
    await stopTestCluster(cluster);
  });

  it('refresh() goes on as soon as a seed answers, and never dials a seed that is not a member again', async () => {
    const first = await timed(() => topology.refresh());
    expect(first.value.nodes).toHaveLength(6);
    expect(first.value.unreachable).toEqual([]);
    // Well under the 13 s the silent seed's handshake may take.
    expect(first.ms).toBeLessThan(5000);
    for (let i = 0; i < 3; i++) expect((await timed(() => topology.refresh())).ms).toBeLessThan(2000);
    expect(silent.accepted()).toBe(1);
  });

  it('a lone node without slots among the seeds (removed and reset, or not joined) does not hide the cluster', async () => {
    const lone = await local.startNode();
    for (let i = 0; i < 3; i++) {
      const mixed = new ClusterTopology({ seeds: [lone, local.seeds[i]!] });
      try {
        const state = await mixed.refresh();
        expect(state.nodes).toHaveLength(6);
        expect(state.node(`${lone.host}:${lone.port}`)).toBeUndefined();
      } finally {
        await mixed.close();
      }
    }
  });

  it('a small reshard and a default failover do not wait for the silent seed', async () => {
    const state = await topology.refresh();
    const [from, to] = state.slotOwners as [typeof state.slotOwners[0], typeof state.slotOwners[0]];
    const reshard = await timed(() => new SlotMigrator(topology).reshard({ from: from.id, to: to.id, slots: 5 }));
    expect(reshard.value.movedSlots).toBe(5);
    expect(reshard.ms).toBeLessThan(12_000);
    const master = (await topology.refresh()).slotOwners[0]!;
    const replica = (await topology.refresh()).replicasOf(master.id)[0]!;
    const failover = await timed(() => new FailoverController(topology).failover(replica.id));
    expect(failover.value.newMasterId).toBe(replica.id);
    // Its own timeout is 15 s; before, three 13 s waits for the seed made it 39 s.
    expect(failover.ms).toBeLessThan(14_000);
    expect(silent.accepted()).toBe(1);
  });

  it('replicaReadCluster given the silent seed first serves its first read without waiting for it', async () => {
    const readers = replicaReadCluster([{ host: '127.0.0.1', port: silent.port }, local.seeds[0]!]);
    try {
      const first = await timed(() => readers.get('any-key'));
      expect(first.value).toBeNull();
      // ioredis gives a seed 1 s (slotsRefreshTimeout) for CLUSTER SLOTS; the replica map asks all seeds at once.
      expect(first.ms).toBeLessThan(5000);
    } finally {
      readers.disconnect();
    }
  });

  it('names a seed that is not Redis as such, with a typed error', async () => {
    const http = createHttpServer((_, response) => response.end('hello'));
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    const port = (http.address() as { port: number }).port;
    const lone = new ClusterTopology({ seeds: [{ host: '127.0.0.1', port }] });
    try {
      const error = await lone.refresh().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotRedisError);
      expect(error).toMatchObject({ code: 'ERR_NOT_REDIS', address: `127.0.0.1:${port}`, details: { answer: 'HTTP/1.1 400 Bad Request' } });
      expect((error as Error).message).not.toMatch(/protected mode|Please report/);
      // Next to a good seed it is no member: the cluster is found all the same.
      const mixed = new ClusterTopology({ seeds: [{ host: '127.0.0.1', port }, local.seeds[1]!] });
      try {
        expect((await mixed.refresh()).nodes).toHaveLength(6);
      } finally {
        await mixed.close();
      }
    } finally {
      await lone.close();
      http.close();
    }
  });
});
