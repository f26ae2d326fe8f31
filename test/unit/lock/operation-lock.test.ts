import { describe, expect, it } from 'vitest';
import { LeaseLostError, NodePool, NodeUnreachableError, OperationLock, OperationLockedError, type OperationLockOptions } from '../../../src/index';
import { startFakeRespServer } from '../../helpers/fake-resp-server';
import { MemoryLeaseStore } from '../../helpers/memory-lease-store';
import { nodeScopeTtlMs } from '../../../src/lock/operation-lock';

function lockWith(store: MemoryLeaseStore, options: OperationLockOptions = {}): { lock: OperationLock; pool: NodePool } {
  const pool = new NodePool({ connectTimeoutMs: 200, commandTimeoutMs: 200 });
  const lock = new OperationLock({ pool, connection: pool.options, candidates: () => [], liveMasters: async () => [] }, { store, ...options });
  return { lock, pool };
}

/** Blocks this thread (no timers, no I/O), as SIGSTOP would. */
function freeze(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

// Port 1 on loopback: nothing listens, so any command that gets past the hooks fails with NodeUnreachableError.
const NOWHERE = '127.0.0.1:1';

/** A read through the pool: the lease is taken before the first command of a run. */
async function touch(pool: NodePool): Promise<void> {
  await pool.get(NOWHERE).call(['PING']).catch(() => undefined);
}

describe('OperationLock', () => {
  it('nested runs reuse the held lease: one acquire, one release', async () => {
    const store = new MemoryLeaseStore();
    const { lock, pool } = lockWith(store);
    const seen: (string | undefined)[] = [];
    await lock.run('outer', async () => {
      seen.push(lock.current?.operation);
      await touch(pool);
      seen.push(lock.current?.operation);
      await lock.run('inner', async () => {
        await touch(pool);
        seen.push(lock.current?.operation);
      });
    });
    expect(seen).toEqual([undefined, 'outer', 'outer']);
    expect(store.calls.filter((c) => c !== 'renew')).toEqual(['acquire', 'release']);
    expect(store.record).toBeUndefined();
  });

  it('a concurrent run from another async chain of the same process is refused, naming the holder', async () => {
    const store = new MemoryLeaseStore();
    const { lock, pool } = lockWith(store, { owner: 'ops-cli' });
    const gate = deferred();
    const first = lock.run('reshard', async () => {
      await touch(pool);
      await gate.promise;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    let setslot: unknown;
    const refused = await lock
      .run('fix', async () => {
        // Refused at its first command, which never reaches the network (else: NodeUnreachableError).
        setslot = await pool.get(NOWHERE).call(['CLUSTER', 'SETSLOT', 1, 'STABLE']).catch((error: unknown) => error);
        throw new Error('the operation wraps the refusal');
      })
      .catch((error: unknown) => error);
    expect(setslot).toBeInstanceOf(OperationLockedError);
    expect(refused).toBeInstanceOf(OperationLockedError);
    const error = refused as OperationLockedError;
    expect(error.code).toBe('ERR_OPERATION_LOCKED');
    expect(error.holder.holder).toMatchObject({ pid: process.pid, operation: 'reshard', owner: 'ops-cli' });
    expect(error.message).toContain(`topology.breakLock('${error.holder.token}')`);
    expect(error.message).toContain('"reshard"');
    gate.resolve();
    await first;
  });

  it('waits for the lease with waitMs, then proceeds', async () => {
    const store = new MemoryLeaseStore();
    const { lock, pool } = lockWith(store, { waitMs: 5000 });
    const order: string[] = [];
    const first = lock.run('a', async () => {
      await touch(pool);
      await new Promise((resolve) => setTimeout(resolve, 300));
      order.push('a');
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    await lock.run('b', async () => {
      await touch(pool);
      order.push('b');
    });
    await first;
    expect(order).toEqual(['a', 'b']);
  });

  it('a holder frozen past its validity stops before its next mutating command; reads still go out', async () => {
    const store = new MemoryLeaseStore();
    const { lock, pool } = lockWith(store, { ttlMs: 400, renewIntervalMs: 100, safetyMarginMs: 150 });
    const lost: string[] = [];
    lock.on('lease-lost', (event) => lost.push(event.reason));
    let setslot: unknown;
    let ping: unknown;
    let pipelined: unknown;
    const outcome = await lock
      .run('migrate', async () => {
        await touch(pool);
        freeze(600);
        setslot = await pool.get(NOWHERE).call(['CLUSTER', 'SETSLOT', 5, 'NODE', 'x']).catch((error: unknown) => error);
        ping = await pool.get(NOWHERE).call(['PING']).catch((error: unknown) => error);
        // A pipeline with one mutating command among reads is stopped as a whole.
        pipelined = await pool.get(NOWHERE).pipeline([['CLUSTER', 'COUNTKEYSINSLOT', 1], ['CLUSTER', 'SETSLOT', 1, 'STABLE']]).catch((error: unknown) => error);
        throw new Error('the operation gave up');
      })
      .catch((error: unknown) => error);
    expect(setslot).toBeInstanceOf(LeaseLostError);
    expect((setslot as LeaseLostError).message).toContain('before sending CLUSTER SETSLOT to 127.0.0.1:1');
    expect(ping).toBeInstanceOf(NodeUnreachableError);
    expect(pipelined).toBeInstanceOf(LeaseLostError);
    // run() reports the loss, with the operation's own error as cause.
    expect(outcome).toBeInstanceOf(LeaseLostError);
    expect((outcome as LeaseLostError).reason).toBe('expired');
    expect(((outcome as LeaseLostError).cause as Error).message).toBe('the operation gave up');
    expect(lost).toEqual(['expired']);
    await pool.close();
  });

  it('a pause after the fence passed, before the write, still stops the command: nothing reaches the node', async () => {
    // A node that records every command it receives and answers +OK (HELLO: unknown, as on Redis 5).
    const received: string[] = [];
    const server = await startFakeRespServer((args) => {
      received.push(args.join(' '));
      return args[0]?.toUpperCase() === 'HELLO' ? "-ERR unknown command 'HELLO'\r\n" : '+OK\r\n';
    });
    const node = `127.0.0.1:${server.port}`;
    const store = new MemoryLeaseStore();
    const { lock, pool } = lockWith(store, { ttlMs: 400, renewIntervalMs: 100, safetyMarginMs: 150 });
    try {
      await pool.get(node).call(['PING']); // connected before the run: the pause is the only wait
      let pauseNext = false;
      // Runs after the lock's gate (hooks run in the order they were added): the fence has passed.
      pool.commandHooks.add(() => {
        if (pauseNext) freeze(600);
      });
      const stopped = await lock
        .run('migrate', async () => {
          await pool.get(node).call(['PING']);
          pauseNext = true;
          await pool.get(node).call(['CLUSTER', 'SETSLOT', 5, 'NODE', 'x']);
        })
        .catch((error: unknown) => error);
      expect(stopped).toBeInstanceOf(LeaseLostError);
      expect(received.filter((command) => command.includes('SETSLOT'))).toEqual([]);
      expect(received.filter((command) => command === 'PING')).toHaveLength(2);
    } finally {
      await pool.close();
      await server.close();
    }
  });

  it('a create on many nodes holds its claims longer: 600 ms per node, never less than the configured TTL', () => {
    expect(nodeScopeTtlMs(30_000, 6)).toBe(30_000);
    expect(nodeScopeTtlMs(30_000, 100)).toBe(60_000);
    expect(nodeScopeTtlMs(90_000, 100)).toBe(90_000);
  });

  it('the heartbeat keeps a long operation valid', async () => {
    const store = new MemoryLeaseStore();
    const { lock, pool } = lockWith(store, { ttlMs: 400, renewIntervalMs: 50, safetyMarginMs: 150 });
    let renewals = 0;
    lock.on('lease-renewed', () => renewals++);
    const error = await lock.run('migrate', async () => {
      await touch(pool);
      await new Promise((resolve) => setTimeout(resolve, 900));
      return pool.get(NOWHERE).call(['CLUSTER', 'SETSLOT', 5, 'STABLE']).catch((caught: unknown) => caught);
    });
    expect(error).toBeInstanceOf(NodeUnreachableError);
    expect(renewals).toBeGreaterThan(3);
    await pool.close();
  });

  it('breakLock frees a lease for another operator; the old holder stops at its next heartbeat', async () => {
    const store = new MemoryLeaseStore();
    const { lock: first, pool } = lockWith(store, { ttlMs: 10_000, renewIntervalMs: 50, safetyMarginMs: 100 });
    const { lock: second } = lockWith(store);
    const gate = deferred();
    let afterBreak: unknown;
    const holding = first.run('drain', async () => {
      await touch(pool);
      await gate.promise;
      afterBreak = await pool.get(NOWHERE).call(['MIGRATE', 'h', 1, '', 0, 10, 'KEYS', 'k']).catch((error: unknown) => error);
      throw afterBreak;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const refused = (await second.run('fix', async () => undefined, { eager: true }).catch((error: unknown) => error)) as OperationLockedError;
    expect(refused).toBeInstanceOf(OperationLockedError);
    expect(await second.breakLock(refused.holder.token)).toMatchObject({ token: refused.holder.token });
    await second.run('fix', async () => {
      await new Promise((resolve) => setTimeout(resolve, 200));
      gate.resolve();
      await holding.catch(() => undefined);
    }, { eager: true });
    expect(afterBreak).toBeInstanceOf(LeaseLostError);
    expect((afterBreak as LeaseLostError).reason).toBe('taken'); // the new holder's lease is there now
    await expect(holding).rejects.toBeInstanceOf(LeaseLostError);
    await expect(second.breakLock('not-a-token')).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    await pool.close();
  });

  it('a lease of this process whose release failed does not block the next operation until it expires', async () => {
    const store = new MemoryLeaseStore();
    const { lock } = lockWith(store);
    const release = store.release.bind(store);
    store.release = async () => {
      throw new Error('the lease master died just now');
    };
    await lock.run('failover', async () => undefined, { eager: true });
    expect(store.record).toBeDefined(); // left behind, nobody holds it
    store.release = release;
    const broken: string[] = [];
    lock.on('lease-broken', (event) => broken.push(event.reason));
    await lock.run('fix', async () => undefined, { eager: true });
    expect(broken).toEqual(['holder-dead']);
    expect(store.record).toBeUndefined();
  });

  it('unsafeDisableLock runs without touching the store', async () => {
    const store = new MemoryLeaseStore();
    const { lock, pool } = lockWith(store, { unsafeDisableLock: true });
    expect(await lock.run('fix', async () => (await touch(pool), 7))).toBe(7);
    expect(store.calls).toEqual([]);
  });

  it('a run that refuses its input before sending anything takes no lease', async () => {
    const store = new MemoryLeaseStore();
    const { lock } = lockWith(store);
    await expect(lock.run('failover', async () => Promise.reject(new Error('bad node id')))).rejects.toThrow('bad node id');
    expect(store.calls).toEqual([]);
  });
});
