import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, SlotSet } from '../../../src/index';
import { randomInt, seededRandom } from '../../helpers/random';

describe('SlotSet', () => {
  it('parses the CLUSTER NODES form and prints it back', () => {
    const set = SlotSet.parse('0-5460 5462 6000-6001');
    expect(set.size).toBe(5461 + 1 + 2);
    expect(set.toString()).toBe('0-5460 5462 6000-6001');
    expect(JSON.stringify({ slots: set })).toBe('{"slots":"0-5460 5462 6000-6001"}');
  });

  it('merges overlapping and adjacent ranges', () => {
    expect(SlotSet.fromRanges([[10, 20], [0, 9], [15, 30], [32, 32]]).toString()).toBe('0-30 32');
  });

  it('subtracts, intersects and unions', () => {
    const a = SlotSet.parse('0-100');
    const b = SlotSet.parse('10-20 50 90-200');
    expect(a.subtract(b).toString()).toBe('0-9 21-49 51-89');
    expect(a.intersect(b).toString()).toBe('10-20 50 90-100');
    expect(a.union(b).toString()).toBe('0-200');
  });

  it('takes the first or last n slots', () => {
    const set = SlotSet.parse('0-2 10-12');
    expect(set.take(4).toString()).toBe('0-2 10');
    expect(set.takeLast(4).toString()).toBe('2 10-12');
  });

  it('refuses slots out of range and malformed items, naming the value', () => {
    expect(() => SlotSet.parse('0-16384')).toThrow(InvalidArgumentError);
    expect(() => SlotSet.parse('5-3')).toThrow(/5-3/);
    expect(() => SlotSet.parse('abc')).toThrow(/"abc"/);
    expect(() => SlotSet.from([-1])).toThrow(/-1/);
    expect(() => SlotSet.from(1.5)).toThrow(InvalidArgumentError);
  });

  it('agrees with a plain Set of numbers on random operations', () => {
    const random = seededRandom(42);
    for (let round = 0; round < 200; round++) {
      const randomSet = (): number[] => Array.from({ length: randomInt(random, 0, 40) }, () => randomInt(random, 0, 200));
      const a = randomSet();
      const b = randomSet();
      const setA = SlotSet.fromSlots(a);
      const setB = SlotSet.fromSlots(b);
      const plainA = new Set(a);
      const plainB = new Set(b);
      expect(setA.size).toBe(plainA.size);
      expect(setA.subtract(setB).toArray()).toEqual([...plainA].filter((x) => !plainB.has(x)).sort((x, y) => x - y));
      expect(setA.intersect(setB).toArray()).toEqual([...plainA].filter((x) => plainB.has(x)).sort((x, y) => x - y));
      expect(setA.union(setB).toArray()).toEqual([...new Set([...a, ...b])].sort((x, y) => x - y));
      for (let probe = 0; probe < 10; probe++) {
        const slot = randomInt(random, 0, 210);
        expect(setA.has(slot)).toBe(plainA.has(slot));
      }
      expect(SlotSet.parse(setA.toString()).equals(setA)).toBe(true);
    }
  });
});
