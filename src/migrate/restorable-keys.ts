import type { ClusterState } from '../model/cluster-state';
import { UnsupportedByServerError } from '../net/errors';
import type { NodePool } from '../net/node-pool';
import { countKeys } from '../slot-move/slot-protocol';

/** The Redis version that introduced each RDB version of DUMP payloads. */
const RDB_SINCE: Record<number, string> = { 10: '7.0', 11: '7.2', 12: '7.4' };

/**
 * Refuses, before anything is opened, a move whose keys the target could not restore: MIGRATE carries DUMP
 * payloads in the source's RDB version, and a server refuses payloads newer than its own (an older target in a
 * rolling upgrade). Reads only: each pair's servers (INFO server, cached per connection) and, where the source
 * is newer, its key count in the pair's slots. Empty slots move whatever the versions.
 */
export async function requireRestorableKeys(pool: NodePool, state: ClusterState, moves: readonly { from: string; to: string; pending: readonly number[] }[]): Promise<void> {
  for (const move of moves) {
    if (move.pending.length === 0) continue;
    const source = state.requireNode(move.from);
    const target = state.requireNode(move.to);
    const [from, to] = await Promise.all([pool.get(source.address).capabilitiesIfKnown(), pool.get(target.address).capabilitiesIfKnown()]);
    if (from === undefined || to === undefined || from.rdbVersion <= to.rdbVersion) continue;
    const counts = await countKeys(pool.get(source.address), move.pending);
    const keyed = move.pending.filter((_, i) => (counts[i] ?? 0) > 0);
    if (keyed.length === 0) continue;
    throw new UnsupportedByServerError(
      target.address,
      `keys in RDB version ${from.rdbVersion} (DUMP payloads of ${source.address}, for ${keyed.length} slot(s) with keys, e.g. ${keyed.slice(0, 5).join(', ')})`,
      to,
      RDB_SINCE[from.rdbVersion] ?? 'a newer version',
      `Nothing was moved. Keys move from older servers to newer ones: upgrade ${target.address} first, move these slots to a node of the same or a newer version, or move only empty slots.`,
    );
  }
}
