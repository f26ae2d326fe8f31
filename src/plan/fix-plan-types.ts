// The shapes of a fix plan (planFix's output, executeFix's input): plain, serializable data.

/** Which owner fix() chose for a slot, and by what rule. */
export type FixAction =
  /** Owner MIGRATING to a live master that is IMPORTING from it: the move is finished to the importing node. */
  | 'finished-migration'
  /** One live master claims the slot: it keeps it, marks are cleared, keys elsewhere move to it. */
  | 'kept-owner'
  /** Several live masters claim the slot: the greatest config epoch wins (then the smaller id), as Redis settles it. */
  | 'owner-by-epoch'
  /** No live master claims the slot but tables map it to live masters: the one with the greatest epoch takes it. */
  | 'claimed-mapped'
  /** Nobody claims or maps the slot and masters hold its keys: the one with the most keys takes it. */
  | 'assigned-to-key-holder'
  /** Nobody claims or maps the slot and it has no keys: it goes to the master with the fewest slots. */
  | 'assigned-empty';

/** What was wrong with a slot (the first that applies). */
export type FixCause =
  | 'open-slot'
  | 'migrating-to-failed-node'
  | 'migrating-to-replica'
  | 'importing-without-owner'
  | 'stray-keys'
  | 'multiple-claimants'
  | 'unclaimed-mapped'
  | 'uncovered'
  | 'stale-table';

/** One command of a fix plan. `node` is a node id; the plan's `nodes` maps it to an address. */
export type FixStep =
  | { op: 'setslot'; node: string; slot: number; state: 'STABLE' }
  | { op: 'setslot'; node: string; slot: number; state: 'NODE' | 'IMPORTING' | 'MIGRATING'; peer: string }
  | { op: 'bump-epoch'; node: string }
  /** Moves every key of `slot` from `from` to `to` (MIGRATE batches; identical copies merge, different ones follow onConflict). */
  | { op: 'move-keys'; slot: number; from: string; to: string };

export interface FixSlotDecision {
  slot: number;
  owner: string;
  action: FixAction;
  cause: FixCause;
  /** Keys of the slot on each live master before the fix (only masters holding some). */
  keys: Record<string, number>;
  /** Whether some live master had the slot MIGRATING or IMPORTING. */
  wasOpen: boolean;
}

/** A slot fix() leaves alone because the only node that could hold its keys cannot be reached. */
export interface UnresolvedSlots {
  /** CLUSTER NODES form. */
  slots: string;
  reason: string;
}

/**
 * A serializable plan that repairs slot ownership: pure output of planFix(), walked by executeFix().
 * `settle` waves run first (no keys move; each wave's commands are pipelined per node), then each
 * `moves` entry in order (keys move to the chosen owner), then the `finish` waves (epoch bumps).
 */
export interface FixPlan {
  kind: 'fix';
  /** A digest of the owners and steps (not the key counts): the same repair gives the same id. */
  id: string;
  /** Live masters the plan talks to (id -> address). */
  nodes: Record<string, string>;
  decisions: FixSlotDecision[];
  settle: FixStep[][];
  moves: { slot: number; steps: FixStep[] }[];
  finish: FixStep[][];
  unresolved: UnresolvedSlots[];
}

