/** Slack over the window for clock granularity and the election's own round trips. */
const MARGIN_MS = 250;

/**
 * A master refuses to vote for a replica of master M within 2 x its cluster-node-timeout of its
 * last vote about M ("Failover auth denied ...: can't vote about this master before N
 * milliseconds"), and a manual failover gives up after 5 s without a word. So a failover of a
 * shard straight after the last one (a failover back, spreadMasters after a drill) would time out.
 *
 * A decision object, given a clock: it remembers when each shard last held an election and says
 * how long to wait before the next one. The topology owns one, so every controller over one
 * ClusterTopology shares it; nothing is kept at module level.
 */
export class VoteWindow {
  private readonly elections = new Map<string, number>();

  constructor(private readonly clock: () => number = Date.now) {}

  /** Notes that the masters just voted about `masterId` (the failed-over master). */
  record(masterId: string): void {
    this.elections.set(masterId, this.clock());
  }

  /** Milliseconds to wait before the masters vote about `masterId` again (0: at once), given the voters' cluster-node-timeouts. */
  waitMs(masterId: string, voterNodeTimeoutsMs: readonly number[]): number {
    const last = this.elections.get(masterId);
    if (last === undefined) return 0;
    const window = 2 * Math.max(0, ...voterNodeTimeoutsMs) + MARGIN_MS;
    return Math.max(0, last + window - this.clock());
  }

  /** Whether a wait can apply at all (an election about `masterId` was recorded). */
  has(masterId: string): boolean {
    return this.elections.has(masterId);
  }
}
