/** What a migration cost its sources' clients so far; part of progress and end events. */
export interface LatencyReport {
  /** The budget in force (ms per MIGRATE), or null when off. */
  budgetMs: number | null;
  /** MIGRATEs measured. */
  migrates: number;
  /** How long MIGRATEs blocked their source (send to reply), p50 / p99 / max over the run, ms. */
  blockingP50Ms: number;
  blockingP99Ms: number;
  blockingMaxMs: number;
  /** PING round trips of a probe connection to each source (a client's view), p99 / max over the run, ms; null without a probe. */
  clientP99Ms: number | null;
  clientMaxMs: number | null;
  /** Probe PINGs measured. */
  clientSamples: number;
}

/** The most samples kept per kind (the oldest give way). */
const MAX_SAMPLES = 100_000;

/** Collects blocking and probe samples of one execute() call; pure data, no timers. */
export class LatencyStats {
  private readonly blocking: number[] = [];
  private readonly client: number[] = [];

  constructor(readonly budgetMs: number | null) {}

  addBlocking(ms: number): void {
    push(this.blocking, ms);
  }

  addClient(ms: number): void {
    push(this.client, ms);
  }

  report(): LatencyReport {
    const blocking = [...this.blocking].sort((a, b) => a - b);
    const client = [...this.client].sort((a, b) => a - b);
    return {
      budgetMs: this.budgetMs,
      migrates: blocking.length,
      blockingP50Ms: round(quantile(blocking, 0.5)),
      blockingP99Ms: round(quantile(blocking, 0.99)),
      blockingMaxMs: round(blocking[blocking.length - 1] ?? 0),
      clientP99Ms: client.length === 0 ? null : round(quantile(client, 0.99)),
      clientMaxMs: client.length === 0 ? null : round(client[client.length - 1] ?? 0),
      clientSamples: client.length,
    };
  }
}

function push(samples: number[], value: number): void {
  if (samples.length >= MAX_SAMPLES) samples.shift();
  samples.push(value);
}

/** Nearest-rank quantile of sorted values; 0 for none. */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
