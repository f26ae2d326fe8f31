import { describe, expect, it } from 'vitest';
import { CommandFailedError, NodePool, NodeTimeoutError, NodeUnreachableError } from '../../../src/index';
import { DEFAULT_KEY_MOVE_OPTIONS, migrateTimeoutFor } from '../../../src/slot-move/key-move-options';
import { isMigrateTimeout, targetReplyCode } from '../../../src/slot-move/key-mover';
import { MigrateLanes } from '../../../src/slot-move/migrate-lanes';

const MB = 1024 * 1024;

describe('MIGRATE timeouts', () => {
  const options = { migrateTimeoutMs: 1000, maxMigrateTimeoutMs: 10_000, minBytesPerSecond: 10 * MB };

  it('grow with the batch bytes and 4x per attempt, never above the ceiling', () => {
    expect(migrateTimeoutFor(options, 0)).toBe(1000);
    expect(migrateTimeoutFor(options, 10 * MB)).toBe(2000);
    expect(migrateTimeoutFor(options, 0, 2)).toBe(4000);
    expect(migrateTimeoutFor(options, 0, 3)).toBe(10_000);
    expect(migrateTimeoutFor(options, 500 * MB)).toBe(10_000);
    expect(migrateTimeoutFor(DEFAULT_KEY_MOVE_OPTIONS, 64 * 1000)).toBeLessThan(1100);
  });
});

describe('which MIGRATE failures are retried: by class and code, never by message text', () => {
  it('retries IOERR and a source that did not reply in time', () => {
    expect(isMigrateTimeout(new CommandFailedError('a:1', 'MIGRATE', 'IOERR error or timeout reading to target instance'))).toBe(true);
    expect(isMigrateTimeout(new NodeTimeoutError('a:1', 'MIGRATE got no reply within 50 ms', 50))).toBe(true);
  });

  it('does not retry refusals, a dead connection, or a message that merely mentions a timeout', () => {
    expect(isMigrateTimeout(new CommandFailedError('a:1', 'MIGRATE', 'ERR Target instance replied with error: MOVED 5 b:2'))).toBe(false);
    expect(isMigrateTimeout(new CommandFailedError('a:1', 'MIGRATE', 'ERR something timeout-ish'))).toBe(false);
    expect(isMigrateTimeout(new NodeUnreachableError('a:1', 'connect ECONNREFUSED (no reply within anything)'))).toBe(false);
    expect(isMigrateTimeout(new Error('no reply within 5 ms'))).toBe(false);
  });

  it("reads the target's error code out of MIGRATE's relayed reply", () => {
    expect(targetReplyCode(new CommandFailedError('a:1', 'MIGRATE', 'ERR Target instance replied with error: BUSYKEY Target key name already exists.'))).toBe('BUSYKEY');
    expect(targetReplyCode(new CommandFailedError('a:1', 'MIGRATE', 'BUSYKEY Target key name already exists.'))).toBe('BUSYKEY');
    expect(targetReplyCode(new CommandFailedError('a:1', 'MIGRATE', 'ERR Target instance replied with error: CLUSTERDOWN Hash slot not served'))).toBe('CLUSTERDOWN');
    expect(targetReplyCode(new CommandFailedError('a:1', 'MIGRATE', 'ERR syntax error'))).toBe('');
  });
});

describe('MigrateLanes', () => {
  it('runs one MIGRATE at a time per source, in order, and sources side by side', async () => {
    const lanes = new MigrateLanes(new NodePool(), 100);
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const work = (name: string, ms: number) => async (): Promise<string> => {
      running++;
      most = Math.max(most, running);
      log.push(`start ${name}`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      log.push(`end ${name}`);
      running--;
      return name;
    };
    const fail = (node: string): Error => new Error(node);
    const results = await Promise.all([
      lanes.run('s1:1', 't:1', work('a', 20), fail),
      lanes.run('s1:1', 't:1', work('b', 5), fail),
      lanes.run('s1:1', 't:1', async () => {
        throw new Error('c fails');
      }, fail).catch((e: Error) => e.message),
      lanes.run('s1:1', 't:1', work('d', 1), fail),
    ]);
    expect(results).toEqual(['a', 'b', 'c fails', 'd']);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start d', 'end d']);
    expect(most).toBe(1);
  });

  it('after a failed probe, refuses every later MIGRATE towards that node without running it', async () => {
    const pool = new NodePool({ connectTimeoutMs: 200, commandTimeoutMs: 200 });
    try {
      const lanes = new MigrateLanes(pool, 200);
      expect(await lanes.probe('127.0.0.1:1')).toBe(false); // nothing listens on port 1
      let ran = false;
      const error = await lanes
        .run('127.0.0.1:2', '127.0.0.1:1', async () => {
          ran = true;
        }, (node) => new Error(`unresponsive ${node}`))
        .catch((e: Error) => e.message);
      expect(error).toBe('unresponsive 127.0.0.1:1');
      expect(ran).toBe(false);
    } finally {
      await pool.close();
    }
  });
});
