import { describe, expect, it } from 'vitest';
import { LatencyController } from '../../../src/index';
import { LatencyStats } from '../../../src/migrate/latency-stats';

/** A source whose MIGRATE costs 0.2 ms plus 15 µs per key plus 4 µs per KiB. */
const cost = (keys: number, bytes: number): number => 0.2 + keys * 0.015 + (bytes / 1024) * 0.004;

function drive(controller: LatencyController, keyBytes: number, rounds: number): { keys: number; elapsed: number }[] {
  const seen: { keys: number; elapsed: number }[] = [];
  for (let i = 0; i < rounds; i++) {
    const limit = controller.next();
    const keys = Math.max(1, Math.min(limit.keys, Math.floor(limit.bytes / keyBytes)));
    const elapsed = cost(keys, keys * keyBytes);
    controller.observe({ keys, bytes: keys * keyBytes, elapsedMs: elapsed });
    seen.push({ keys, elapsed });
  }
  return seen;
}

describe('LatencyController', () => {
  it('settles small keys at batches that block the source within the budget, using most of it', () => {
    const controller = new LatencyController({ budgetMs: 2, maxKeys: 1000 });
    const settled = drive(controller, 80, 40).slice(-10);
    for (const { elapsed } of settled) {
      expect(elapsed).toBeLessThanOrEqual(2);
      expect(elapsed).toBeGreaterThan(1);
    }
  });

  it('caps large values by bytes, down to one key per batch', () => {
    const controller = new LatencyController({ budgetMs: 2, maxKeys: 1000 });
    const settled = drive(controller, 256 * 1024, 30).slice(-5);
    for (const { keys, elapsed } of settled) {
      expect(keys).toBeLessThanOrEqual(2);
      expect(elapsed).toBeLessThanOrEqual(2.5);
    }
  });

  it('shrugs off one slow MIGRATE but follows a source that got slower', () => {
    const controller = new LatencyController({ budgetMs: 2, maxKeys: 1000 });
    drive(controller, 80, 30);
    const before = controller.next().keys;
    controller.observe({ keys: before, bytes: before * 80, elapsedMs: 40 }); // descheduled once
    expect(controller.next().keys).toBe(before);
    for (let i = 0; i < 4; i++) controller.observe({ keys: before, bytes: before * 80, elapsedMs: 8 }); // 4x slower from now on
    expect(controller.next().keys).toBeLessThanOrEqual(Math.ceil(before / 3));
  });

  it('with the budget off, offers keysPerBatch and no byte cap', () => {
    const controller = new LatencyController({ budgetMs: null, maxKeys: 1000 });
    controller.observe({ keys: 1000, bytes: 80_000, elapsedMs: 50 });
    expect(controller.next()).toEqual({ keys: 1000, bytes: Number.POSITIVE_INFINITY });
  });

  it('never goes below minKeys or above maxKeys', () => {
    const controller = new LatencyController({ budgetMs: 0.001, maxKeys: 50, minKeys: 3 });
    controller.observe({ keys: 3, bytes: 100, elapsedMs: 30 });
    expect(controller.next().keys).toBe(3);
    const fast = new LatencyController({ budgetMs: 1000, maxKeys: 50 });
    fast.observe({ keys: 50, bytes: 100, elapsedMs: 0.01 });
    expect(fast.next().keys).toBe(50);
  });
});

describe('LatencyStats', () => {
  it('reports nearest-rank p50 / p99 / max of blocking and probe samples', () => {
    const stats = new LatencyStats(2);
    for (let i = 1; i <= 100; i++) stats.addBlocking(i / 10);
    stats.addClient(1);
    stats.addClient(9);
    expect(stats.report()).toEqual({
      budgetMs: 2,
      migrates: 100,
      blockingP50Ms: 5,
      blockingP99Ms: 9.9,
      blockingMaxMs: 10,
      clientP99Ms: 9,
      clientMaxMs: 9,
      clientSamples: 2,
    });
    expect(new LatencyStats(null).report()).toMatchObject({ budgetMs: null, migrates: 0, clientP99Ms: null });
  });
});
