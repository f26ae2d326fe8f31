import { describe, expect, it } from 'vitest';
import { ForeignSlotMarkError } from '../../../src/index';
import { requireOwnMarks, roundRobinBySource } from '../../../src/migrate/plan-guards';

describe('roundRobinBySource', () => {
  it('orders pairs so that the first ones started cover every source', () => {
    const moves = [
      { from: 'a', to: 'x' },
      { from: 'a', to: 'y' },
      { from: 'a', to: 'z' },
      { from: 'b', to: 'x' },
      { from: 'c', to: 'x' },
      { from: 'c', to: 'y' },
    ];
    expect(roundRobinBySource(moves).map((m) => `${m.from}${m.to}`)).toEqual(['ax', 'bx', 'cx', 'ay', 'cy', 'az']);
  });
});

describe('requireOwnMarks', () => {
  const slots = [{ slot: 5, from: 'src', to: 'dst' }];
  const mark = (nodeId: string, state: 'migrating' | 'importing', peerId: string, slot = 5) => ({ slot, nodeId, address: `${nodeId}:1`, state, peerId });

  it('accepts marks this plan set between its own pair, and marks on slots outside the round', () => {
    expect(() => requireOwnMarks(slots, [mark('src', 'migrating', 'dst'), mark('dst', 'importing', 'src')], new Set([5]))).not.toThrow();
    expect(() => requireOwnMarks(slots, [mark('src', 'migrating', 'other', 6)], new Set())).not.toThrow();
  });

  it('refuses a mark on a slot this plan never opened, naming it', () => {
    const error = (() => {
      try {
        requireOwnMarks(slots, [mark('dst', 'importing', 'src')], new Set());
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ForeignSlotMarkError);
    expect((error as ForeignSlotMarkError).marks).toEqual([{ slot: 5, address: 'dst:1', state: 'importing', peerId: 'src' }]);
  });

  it('refuses a mark towards a third node even on a slot this plan opened', () => {
    expect(() => requireOwnMarks(slots, [mark('src', 'migrating', 'third')], new Set([5]))).toThrow(ForeignSlotMarkError);
  });
});
