import { describe, expect, it } from 'vitest';
import { VoteWindow } from '../../../src/index';

describe('VoteWindow', () => {
  it('asks to wait out 2 x the largest voter node timeout (plus a margin) after an election, by its clock', () => {
    let now = 1_000_000;
    const window = new VoteWindow(() => now);
    expect(window.waitMs('m1', [5000])).toBe(0);
    window.record('m1');
    expect(window.has('m1')).toBe(true);
    expect(window.waitMs('m1', [5000, 2000])).toBe(10_250);
    now += 4000;
    expect(window.waitMs('m1', [5000])).toBe(6250);
    expect(window.waitMs('m2', [5000])).toBe(0);
    now += 7000;
    expect(window.waitMs('m1', [5000])).toBe(0);
  });

  it('is owned per topology: two windows share nothing', () => {
    const a = new VoteWindow(() => 0);
    const b = new VoteWindow(() => 0);
    a.record('m1');
    expect(b.has('m1')).toBe(false);
  });
});
