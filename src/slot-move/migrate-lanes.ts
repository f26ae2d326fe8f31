import type { NodeClient } from '../net/node-client';
import type { NodePool } from '../net/node-pool';

/**
 * One MIGRATE at a time per source node, and no MIGRATE towards a node that stopped answering.
 *
 * A source runs MIGRATE synchronously: it serves no client until the target answered or the timeout
 * passed. Several MIGRATEs queued on one source would each block it for up to their timeout when the
 * target freezes, so they go through this lane one by one. After a MIGRATE to a node timed out, the
 * next one towards it waits for a probe (a PING with a short timeout); once a node failed its probe,
 * every MIGRATE towards it fails at once, without being sent.
 */
export class MigrateLanes {
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly probes = new Map<string, Promise<boolean>>();

  constructor(
    private readonly pool: NodePool,
    readonly probeTimeoutMs: number,
    /** Ask the source how long each MIGRATE blocked it (timed()); off: our own clock, one command less per MIGRATE. */
    private readonly serverTiming = true,
  ) {}

  /**
   * Runs `work` (one MIGRATE from `source`) after every earlier one from that source settled. Rejects with
   * `unresponsive(node)` instead of running it when the source or the target failed a probe.
   */
  async run<T>(source: string, target: string, work: () => Promise<T>, unresponsive: (node: string) => Error): Promise<T> {
    const previous = this.tails.get(source) ?? Promise.resolve();
    const turn = previous.then(
      () => this.guarded(source, target, work, unresponsive),
      () => this.guarded(source, target, work, unresponsive),
    );
    const tail = turn.catch(() => undefined);
    this.tails.set(source, tail);
    try {
      return await turn;
    } finally {
      if (this.tails.get(source) === tail) this.tails.delete(source);
    }
  }

  /** PINGs `node` with the probe timeout (once at a time per node); resolves whether it answered. A failed probe sticks. */
  probe(node: string): Promise<boolean> {
    const known = this.probes.get(node);
    if (known !== undefined) return known;
    const probe = this.pool
      .get(node)
      .call(['PING'], { timeoutMs: this.probeTimeoutMs })
      .then(
        () => true,
        () => false,
      )
      .then((alive) => {
        // A live node is probed afresh after its next timeout; a dead one stays dead for this run.
        if (alive) this.probes.delete(node);
        return alive;
      });
    this.probes.set(node, probe);
    return probe;
  }

  /**
   * Runs one MIGRATE (`work`) on `source` and resolves to how long it blocked the source: measured by the
   * server itself (INFO commandstats, pipelined right behind the MIGRATE: its `usec` grows by exactly the
   * MIGRATE's run time), so neither network nor our own event loop inflate it; from send to reply when the
   * server does not tell.
   */
  async timed(source: NodeClient, work: () => Promise<unknown>): Promise<number> {
    if (!this.serverTiming) {
      const started = performance.now();
      await work();
      return performance.now() - started;
    }
    if (!this.migrateStats.has(source.address)) this.migrateStats.set(source.address, await readMigrateStats(source));
    const before = this.migrateStats.get(source.address);
    const started = performance.now();
    const migrated = work();
    const after = before === undefined ? Promise.resolve(undefined) : readMigrateStats(source);
    await migrated;
    const elapsed = performance.now() - started;
    const stats = await after;
    if (stats === undefined || before === undefined) return elapsed;
    this.migrateStats.set(source.address, stats);
    // Exactly one MIGRATE ran in between (ours): its server-side time. Anything else: our own clock.
    return stats.calls === before.calls + 1 ? (stats.usec - before.usec) / 1000 : elapsed;
  }

  private readonly migrateStats = new Map<string, { calls: number; usec: number } | undefined>();

  private async guarded<T>(source: string, target: string, work: () => Promise<T>, unresponsive: (node: string) => Error): Promise<T> {
    for (const node of [source, target]) {
      const pending = this.probes.get(node);
      if (pending !== undefined && !(await pending)) throw unresponsive(node);
    }
    return work();
  }
}

/** `cmdstat_migrate` of INFO commandstats (zeros before the first MIGRATE); undefined when INFO is refused. */
async function readMigrateStats(node: NodeClient): Promise<{ calls: number; usec: number } | undefined> {
  try {
    const info = String(await node.call(['INFO', 'commandstats']));
    const line = /^cmdstat_migrate:calls=(\d+),usec=(\d+)/m.exec(info);
    return line === null ? { calls: 0, usec: 0 } : { calls: Number(line[1]), usec: Number(line[2]) };
  } catch {
    return undefined;
  }
}
