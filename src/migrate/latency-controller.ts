/**
 * Sizes MIGRATE batches so that each blocks its source for about the latency budget: a pure decision
 * object (no timers, no I/O) fed with what each MIGRATE cost and asked for the next batch's limits.
 *
 * A source serves no client while it runs a MIGRATE, so the longest MIGRATE is what a client of that
 * source may wait on top of its usual latency. The controller learns the source's cost per unit of work
 * (a key counts 1, each KiB of payload 1 more) from measured MIGRATEs and offers the batch that should take
 * `targetShare` of the budget. The cost is the median of the last few batches: one MIGRATE slowed down by
 * something else (the process descheduled on a busy host) does not shrink every batch after it, while a source
 * that really got slower moves the median within a few batches.
 */
export interface LatencyControllerOptions {
  /** The longest a MIGRATE should block its source, in ms; null: no budget (batches of maxKeys). */
  budgetMs: number | null;
  /** The most keys per batch (keysPerBatch). */
  maxKeys: number;
  /** The fewest keys per batch. @defaultValue 1 */
  minKeys?: number;
  /** The share of the budget a batch aims at, leaving room for noise. @defaultValue 0.7 */
  targetShare?: number;
}

/** The next batch: at most `keys` keys and, past its first key, at most `bytes` bytes of payload. */
export interface BatchLimit {
  keys: number;
  bytes: number;
}

/** What one MIGRATE cost its source. */
export interface BlockingSample {
  keys: number;
  bytes: number;
  /** From sending the MIGRATE to its reply, in ms (an upper bound of the time it blocked the source). */
  elapsedMs: number;
}

const BYTES_PER_UNIT = 1024;
/** Batches whose cost per unit make the median. */
const WINDOW = 7;
/** Before any sample: a guess of 20 µs per key of a few bytes, corrected by the first MIGRATE. */
const INITIAL_MS_PER_UNIT = 0.02;

export class LatencyController {
  private msPerUnit = INITIAL_MS_PER_UNIT;
  private readonly costs: number[] = [];
  private readonly minKeys: number;
  private readonly targetShare: number;

  constructor(readonly options: LatencyControllerOptions) {
    this.minKeys = Math.max(1, Math.min(options.minKeys ?? 1, options.maxKeys));
    this.targetShare = options.targetShare ?? 0.7;
  }

  /** The limits for the next batch. */
  next(): BatchLimit {
    if (this.options.budgetMs === null) return { keys: this.options.maxKeys, bytes: Number.POSITIVE_INFINITY };
    const units = (this.options.budgetMs * this.targetShare) / this.msPerUnit;
    const keys = Math.max(this.minKeys, Math.min(this.options.maxKeys, Math.floor(units)));
    return { keys, bytes: Math.max(BYTES_PER_UNIT, Math.floor(units * BYTES_PER_UNIT)) };
  }

  /** Feeds one measured MIGRATE. */
  observe(sample: BlockingSample): void {
    if (sample.keys <= 0 || !(sample.elapsedMs >= 0)) return;
    const units = sample.keys + sample.bytes / BYTES_PER_UNIT;
    this.costs.push(Math.max(sample.elapsedMs, 0.01) / units);
    if (this.costs.length > WINDOW) this.costs.shift();
    const sorted = [...this.costs].sort((a, b) => a - b);
    this.msPerUnit = sorted[Math.floor((sorted.length - 1) / 2)] as number;
  }
}
