import { describe, expect, it } from 'vitest';
import { ClusterTopology, DEFAULT_OPERATION_LOCK_OPTIONS, InvalidArgumentError, isMutatingCommand } from '../../../src/index';
import { parseRedirect } from '../../../src/lock/slot-router';
import { parseClientList } from '../../../src/lock/node-claim-store';
import { parseValue } from '../../../src/lock/key-lease-store';

const seeds = [{ host: '127.0.0.1', port: 7000 }];

describe('operation lock options', () => {
  it('defaults are frozen and consistent (a renewal always comes before the local validity ends)', () => {
    expect(Object.isFrozen(DEFAULT_OPERATION_LOCK_OPTIONS)).toBe(true);
    const { ttlMs, renewIntervalMs, safetyMarginMs } = DEFAULT_OPERATION_LOCK_OPTIONS;
    expect(renewIntervalMs + safetyMarginMs).toBeLessThan(ttlMs);
    expect(safetyMarginMs).toBeGreaterThanOrEqual(renewIntervalMs);
    expect(new ClusterTopology({ seeds }).lock.options.ttlMs).toBe(30_000);
  });

  it.each([
    [{ ttlMs: 0 }, 'lock.ttlMs'],
    [{ renewIntervalMs: 1.5 }, 'lock.renewIntervalMs'],
    [{ safetyMarginMs: -1 }, 'lock.safetyMarginMs'],
    [{ waitMs: Number.NaN }, 'lock.waitMs'],
    [{ ttlMs: 1000, renewIntervalMs: 500, safetyMarginMs: 500 }, 'lock.ttlMs'],
    [{ key: '' }, 'lock.key'],
    [{ key: 'a\nb' }, 'lock.key'],
    [{ owner: '' }, 'lock.owner'],
    [{ unsafeDisableLock: 'yes' }, 'lock.unsafeDisableLock'],
    [{ store: { acquire: () => undefined } }, 'lock.store'],
  ])('refuses %j before anything is sent, naming %s', (lock, argument) => {
    let error: unknown;
    try {
      new ClusterTopology({ seeds, lock: lock as never });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).argument).toBe(argument);
  });
});

describe('which commands are fenced', () => {
  it.each([
    ['CLUSTER', 'SETSLOT', 1, 'NODE', 'x'],
    ['cluster', 'addslotsrange', 1, 2],
    ['CLUSTER', 'DELSLOTS', 1],
    ['CLUSTER', 'MEET', '127.0.0.1', 7000],
    ['CLUSTER', 'FORGET', 'x'],
    ['CLUSTER', 'REPLICATE', 'x'],
    ['CLUSTER', 'FAILOVER'],
    ['CLUSTER', 'RESET', 'SOFT'],
    ['CLUSTER', 'SET-CONFIG-EPOCH', 1],
    ['CLUSTER', 'BUMPEPOCH'],
    ['MIGRATE', 'h', 1, '', 0, 10, 'KEYS', 'k'],
    ['RESTORE', 'k', 0, 'x'],
    ['DEL', 'k'],
    ['EVAL', 'return 1', 0],
    ['CONFIG', 'SET', 'x', 'y'],
    ['REPLICAOF', 'NO', 'ONE'],
    ['FLUSHALL'],
    ['DEBUG', 'SLEEP', 1],
    ['SOMETHING-NEW'],
  ])('%s %s is mutating', (...args) => {
    expect(isMutatingCommand(args)).toBe(true);
  });

  it.each([
    ['CLUSTER', 'NODES'],
    ['CLUSTER', 'INFO'],
    ['CLUSTER', 'COUNTKEYSINSLOT', 1],
    ['CLUSTER', 'GETKEYSINSLOT', 1, 10],
    ['INFO', 'replication'],
    ['CONFIG', 'GET', 'cluster-node-timeout'],
    ['DUMP', 'k'],
    ['MEMORY', 'USAGE', 'k'],
    ['SCAN', '0'],
    ['PING'],
    ['WAIT', 1, 0],
    ['DEBUG', 'DIGEST-VALUE', 'k'],
  ])('%s %s is not', (...args) => {
    expect(isMutatingCommand(args)).toBe(false);
  });
});

describe('lease store parsers', () => {
  it('reads MOVED and ASK redirects, an empty host meaning the replying node', () => {
    expect(parseRedirect('MOVED 3999 127.0.0.1:7002', '127.0.0.1:7000')).toEqual({ kind: 'MOVED', slot: 3999, address: '127.0.0.1:7002' });
    expect(parseRedirect('ASK 12 :7003', '10.0.0.5:7000')).toEqual({ kind: 'ASK', slot: 12, address: '10.0.0.5:7003' });
    expect(parseRedirect('ERR wrong', '127.0.0.1:7000')).toBeUndefined();
  });

  it('reads a lease value (token, fence, holder) and ignores values it did not write', () => {
    const token = 'ab'.repeat(16);
    const record = parseValue(`${token}:1732550000123456:{"h":"db1","p":42,"o":"fix","s":5}`, 1500);
    expect(record).toEqual({ token, fence: 1732550000123456, holder: { host: 'db1', pid: 42, operation: 'fix', since: 5 }, expiresInMs: 1500 });
    expect(parseValue('hello', 10)).toBeUndefined();
    expect(parseValue(null, -2)).toBeUndefined();
  });

  it('finds node claims in CLIENT LIST and skips other connections', () => {
    const holder = Buffer.from('{"h":"ops","p":7,"o":"create","s":1}').toString('base64url');
    const text = [
      'id=3 addr=127.0.0.1:5000 laddr=127.0.0.1:7000 fd=8 name= age=1 cmd=client|list',
      `id=9 addr=127.0.0.1:5001 laddr=127.0.0.1:7000 fd=9 name=rco-lease.${'cd'.repeat(16)}.17.99000.${holder} age=1 cmd=client|setname`,
    ].join('\n');
    expect(parseClientList(text)).toEqual([
      { id: 3 },
      { id: 9, claim: { token: 'cd'.repeat(16), claimedAt: 17, expiresAt: 99000, holder: { host: 'ops', pid: 7, operation: 'create', since: 1 } } },
    ]);
  });
});
