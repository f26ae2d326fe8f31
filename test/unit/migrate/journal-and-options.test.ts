import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ClusterTopology, FileJournal, InvalidArgumentError, MemoryJournal, PlanError, SlotMigrator } from '../../../src/index';

const dir = mkdtempSync(join(tmpdir(), 'rco-journal-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('migration journals', () => {
  it('a file journal keeps done slots per plan across instances and ignores a line cut short by a crash', async () => {
    const path = join(dir, 'a.jsonl');
    await new FileJournal(path).record('plan-1', [1, 2, 3]);
    await new FileJournal(path).record('plan-2', [9]);
    appendFileSync(path, '{"plan":"plan-1","done":[4,');
    expect([...(await new FileJournal(path).load('plan-1'))].sort()).toEqual([1, 2, 3]);
    expect([...(await new FileJournal(path).load('plan-2'))]).toEqual([9]);
  });

  it('a corrupt line in the middle of a file journal is refused with the line number', async () => {
    const path = join(dir, 'b.jsonl');
    appendFileSync(path, 'garbage\n{"plan":"p","done":[1]}\n{"plan":"p","done":[2]}\n');
    await expect(new FileJournal(path).load('p')).rejects.toBeInstanceOf(PlanError);
  });

  it('a memory journal returns copies', async () => {
    const journal = new MemoryJournal();
    await journal.record('p', [5]);
    const loaded = await journal.load('p');
    loaded.add(6);
    expect([...(await journal.load('p'))]).toEqual([5]);
  });
});

describe('SlotMigrator options', () => {
  const topology = new ClusterTopology({ seeds: [] });
  it.each([
    [{ keysPerBatch: 0 }, 'keysPerBatch'],
    [{ slotsInFlight: 1.5 }, 'slotsInFlight'],
    [{ concurrentPairs: -1 }, 'concurrentPairs'],
    [{ onConflict: 'merge' as never }, 'onConflict'],
    [{ durability: 'disk' as never }, 'durability'],
  ])('refuses %o naming %s', (options, name) => {
    expect(() => new SlotMigrator(topology, options)).toThrow(InvalidArgumentError);
    expect(() => new SlotMigrator(topology, options)).toThrow(name);
  });
});
