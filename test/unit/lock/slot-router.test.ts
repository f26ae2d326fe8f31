import { describe, expect, it } from 'vitest';
import { CommandFailedError, LockStoreError, NodeUnreachableError, type NodePool } from '../../../src/index';
import { SlotRouter } from '../../../src/lock/slot-router';

/** A pool whose nodes answer from a table: a reply, or an error to throw. */
function fakePool(answers: Record<string, () => unknown>): { pool: NodePool; sent: string[] } {
  const sent: string[] = [];
  const pool = {
    get: (address: string) => ({
      call: async () => {
        sent.push(address);
        return (answers[address] as () => unknown)();
      },
    }),
  } as unknown as NodePool;
  return { pool, sent };
}

describe('SlotRouter', () => {
  it('follows MOVED to the serving master', async () => {
    const { pool, sent } = fakePool({
      '127.0.0.1:7000': () => {
        throw new CommandFailedError('127.0.0.1:7000', 'EVAL', 'MOVED 9994 127.0.0.1:7001');
      },
      '127.0.0.1:7001': () => 'OK',
    });
    const router = new SlotRouter(pool, () => [{ host: '127.0.0.1', port: 7000 }]);
    await expect(router.send(['EVAL', 'return 1', 0])).resolves.toMatchObject({ reply: 'OK' });
    expect(sent).toEqual(['127.0.0.1:7000', '127.0.0.1:7001']);
  });

  it("reports the slot unserved when MOVED names a master that does not answer (its host died, no failover yet)", async () => {
    const { pool } = fakePool({
      '127.0.0.1:7000': () => {
        throw new CommandFailedError('127.0.0.1:7000', 'EVAL', 'MOVED 9994 127.0.0.2:7001');
      },
      '127.0.0.2:7001': () => {
        throw new NodeUnreachableError('127.0.0.2:7001', 'connection refused');
      },
    });
    const router = new SlotRouter(pool, () => [{ host: '127.0.0.1', port: 7000 }, { host: '127.0.0.2', port: 7001 }]);
    const error = await router.send(['EVAL', 'return 1', 0]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LockStoreError);
    expect((error as LockStoreError).details).toMatchObject({ address: '127.0.0.2:7001', unserved: true });
  });
});
