import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClusterTopology, FileJournal, InvalidArgumentError, MemoryJournal, MigrationAbortedError, MigrationFailedError, SlotMigrator } from '../../../src/index';

const dir = mkdtempSync(join(tmpdir(), 'rco-journal-open-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('journals remember which slots a plan opened', () => {
  it('a file journal keeps opened and done slots apart, per plan, across instances', async () => {
    const path = join(dir, 'opened.jsonl');
    await new FileJournal(path).recordOpened('p', [1, 2]);
    await new FileJournal(path).record('p', [1]);
    await new FileJournal(path).recordOpened('q', [7]);
    expect([...(await new FileJournal(path).loadOpened('p'))].sort()).toEqual([1, 2]);
    expect([...(await new FileJournal(path).load('p'))]).toEqual([1]);
    expect([...(await new FileJournal(path).loadOpened('q'))]).toEqual([7]);
  });

  it('a memory journal does too', async () => {
    const journal = new MemoryJournal();
    await journal.recordOpened('p', [3]);
    expect([...(await journal.loadOpened('p'))]).toEqual([3]);
    expect([...(await journal.load('p'))]).toEqual([]);
  });
});

describe('SlotMigrator safety options', () => {
  const topology = new ClusterTopology({ seeds: [] });

  it('bounds open slots at 16 per pair, finishes in-flight slots on abort, and caps MIGRATE at 10 s by default', () => {
    const { options } = new SlotMigrator(topology);
    expect(options.maxOpenSlots).toBe(16);
    expect(options.onAbort).toBe('finish-in-flight');
    expect(options.maxMigrateTimeoutMs).toBe(10_000);
    expect(options.probeTimeoutMs).toBe(1000);
  });

  it('takes the deprecated slotsInFlight as maxOpenSlots', () => {
    expect(new SlotMigrator(topology, { slotsInFlight: 3 }).options.maxOpenSlots).toBe(3);
    expect(new SlotMigrator(topology, { slotsInFlight: 3, maxOpenSlots: 5 }).options.maxOpenSlots).toBe(5);
  });

  it.each([
    [{ maxOpenSlots: 0 }, 'maxOpenSlots'],
    [{ onAbort: 'ignore' as never }, 'onAbort'],
    [{ maxMigrateTimeoutMs: 500, migrateTimeoutMs: 1000 }, 'maxMigrateTimeoutMs'],
    [{ probeTimeoutMs: -1 }, 'probeTimeoutMs'],
    [{ emptySlotBatch: 0 }, 'emptySlotBatch'],
  ])('refuses %o naming %s', (options, name) => {
    expect(() => new SlotMigrator(topology, options)).toThrow(InvalidArgumentError);
    expect(() => new SlotMigrator(topology, options)).toThrow(name);
  });

  it('an aborted migration is a MigrationFailedError whose code says aborted', () => {
    const error = new MigrationAbortedError('p1', [], 3, new Error('stop'));
    expect(error).toBeInstanceOf(MigrationFailedError);
    expect(error.code).toBe('ERR_ABORTED');
    expect(error.message).toContain('was aborted after 3 slot(s)');
    expect(error.message).toContain('No slot was left open');
  });

  it('a failed migration after a failover advises fix() and a new plan, not resuming', () => {
    const error = new MigrationFailedError('p1', [5], 0, new Error('MOVED'), 'fix-then-new-plan');
    expect(error.message).toContain('run topology.fix(), then make a new plan');
    expect(error.message).not.toContain('Resume with execute(plan)');
    expect(error.details).toMatchObject({ advice: 'fix-then-new-plan', openSlots: [5] });
  });
});
