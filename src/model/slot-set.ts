import { InvalidArgumentError } from '../errors';
import { SLOT_COUNT } from './key-slot';

/** An inclusive range of hash slots, `[start, end]`. */
export type SlotRange = readonly [start: number, end: number];

/**
 * An immutable set of hash slots, stored as sorted, disjoint, non-adjacent ranges.
 * Serializes to the CLUSTER NODES form (`"0-5460 5462"`), and parses it back.
 */
export class SlotSet implements Iterable<number> {
  static readonly EMPTY = new SlotSet([]);
  static readonly ALL = new SlotSet([[0, SLOT_COUNT - 1]]);

  readonly ranges: readonly SlotRange[];
  readonly size: number;

  private constructor(normalizedRanges: readonly SlotRange[]) {
    this.ranges = normalizedRanges;
    this.size = normalizedRanges.reduce((sum, [start, end]) => sum + end - start + 1, 0);
  }

  /** Parses `"0-5460 5461 6000-6001"` (spaces or commas between items). */
  static parse(text: string, argument = 'slots'): SlotSet {
    const ranges: SlotRange[] = [];
    for (const item of text.split(/[\s,]+/).filter((part) => part.length > 0)) {
      const match = /^(\d+)(?:-(\d+))?$/.exec(item);
      if (match === null) {
        throw new InvalidArgumentError(argument, item, 'not a slot or slot range', 'Write slots as "5" or "0-5460", separated by spaces.');
      }
      const start = Number(match[1]);
      const end = match[2] === undefined ? start : Number(match[2]);
      ranges.push([start, end]);
    }
    return SlotSet.fromRanges(ranges, argument);
  }

  /** Builds a set from ranges in any order, overlapping or not; validates bounds. */
  static fromRanges(ranges: Iterable<readonly [number, number]>, argument = 'slots'): SlotSet {
    const list: [number, number][] = [];
    for (const [start, end] of ranges) {
      assertSlot(start, argument);
      assertSlot(end, argument);
      if (end < start) {
        throw new InvalidArgumentError(argument, `${start}-${end}`, 'range ends before it starts', 'Write the lower slot first, e.g. "100-200".');
      }
      list.push([start, end]);
    }
    return new SlotSet(normalize(list));
  }

  /** Builds a set from single slots. */
  static fromSlots(slots: Iterable<number>, argument = 'slots'): SlotSet {
    const ranges: [number, number][] = [];
    for (const slot of slots) ranges.push([slot, slot]);
    return SlotSet.fromRanges(ranges, argument);
  }

  /** Accepts the forms callers write: a SlotSet, `"0-10 12"`, a slot number, `[start, end]` pairs or slot numbers. */
  static from(input: SlotSetInput, argument = 'slots'): SlotSet {
    if (input instanceof SlotSet) return input;
    if (typeof input === 'string') return SlotSet.parse(input, argument);
    if (typeof input === 'number') return SlotSet.fromSlots([input], argument);
    if (!Array.isArray(input)) {
      throw new InvalidArgumentError(argument, input, 'not a slot set', 'Pass "0-100 200", a slot number, or an array of slots or [start, end] pairs.');
    }
    const ranges: [number, number][] = [];
    for (const item of input as readonly unknown[]) {
      if (typeof item === 'number') ranges.push([item, item]);
      else if (Array.isArray(item) && item.length === 2) ranges.push([item[0] as number, item[1] as number]);
      else throw new InvalidArgumentError(argument, item, 'not a slot or [start, end] pair', 'Pass slot numbers or [start, end] pairs.');
    }
    return SlotSet.fromRanges(ranges, argument);
  }

  has(slot: number): boolean {
    let low = 0;
    let high = this.ranges.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const [start, end] = this.ranges[middle] as SlotRange;
      if (slot < start) high = middle - 1;
      else if (slot > end) low = middle + 1;
      else return true;
    }
    return false;
  }

  get isEmpty(): boolean {
    return this.size === 0;
  }

  union(other: SlotSet): SlotSet {
    return new SlotSet(normalize([...this.ranges, ...other.ranges].map(([s, e]) => [s, e])));
  }

  subtract(other: SlotSet): SlotSet {
    const result: [number, number][] = [];
    let j = 0;
    for (const [start, end] of this.ranges) {
      let cursor = start;
      while (j < other.ranges.length && (other.ranges[j] as SlotRange)[1] < cursor) j++;
      let k = j;
      while (cursor <= end && k < other.ranges.length) {
        const [oStart, oEnd] = other.ranges[k] as SlotRange;
        if (oStart > end) break;
        if (oStart > cursor) result.push([cursor, oStart - 1]);
        cursor = Math.max(cursor, oEnd + 1);
        k++;
      }
      if (cursor <= end) result.push([cursor, end]);
    }
    return new SlotSet(result);
  }

  intersect(other: SlotSet): SlotSet {
    return this.subtract(this.subtract(other));
  }

  equals(other: SlotSet): boolean {
    return this.ranges.length === other.ranges.length && this.ranges.every(([s, e], i) => s === other.ranges[i]?.[0] && e === other.ranges[i]?.[1]);
  }

  /** The first `count` slots of the set, in ascending order. */
  take(count: number): SlotSet {
    const result: [number, number][] = [];
    let left = count;
    for (const [start, end] of this.ranges) {
      if (left <= 0) break;
      const length = Math.min(end - start + 1, left);
      result.push([start, start + length - 1]);
      left -= length;
    }
    return new SlotSet(result);
  }

  /** The last `count` slots of the set. */
  takeLast(count: number): SlotSet {
    const result: [number, number][] = [];
    let left = count;
    for (let i = this.ranges.length - 1; i >= 0 && left > 0; i--) {
      const [start, end] = this.ranges[i] as SlotRange;
      const length = Math.min(end - start + 1, left);
      result.unshift([end - length + 1, end]);
      left -= length;
    }
    return new SlotSet(result);
  }

  *[Symbol.iterator](): Iterator<number> {
    for (const [start, end] of this.ranges) {
      for (let slot = start; slot <= end; slot++) yield slot;
    }
  }

  toArray(): number[] {
    return [...this];
  }

  /** The CLUSTER NODES form: `"0-5460 5462"`; empty string for the empty set. */
  toString(): string {
    return this.ranges.map(([start, end]) => (start === end ? `${start}` : `${start}-${end}`)).join(' ');
  }

  toJSON(): string {
    return this.toString();
  }
}

/** What callers may pass where slots are expected. */
export type SlotSetInput = SlotSet | string | number | readonly (number | readonly [number, number])[];

export function assertSlot(slot: unknown, argument = 'slot'): asserts slot is number {
  if (typeof slot !== 'number' || !Number.isInteger(slot) || slot < 0 || slot >= SLOT_COUNT) {
    throw new InvalidArgumentError(argument, slot, `slot out of range`, `Slots are integers from 0 to ${SLOT_COUNT - 1}.`);
  }
}

function normalize(ranges: [number, number][]): SlotRange[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [start, end] of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && start <= last[1] + 1) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged.map(([s, e]) => Object.freeze([s, e] as const));
}
