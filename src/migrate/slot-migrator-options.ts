import { InvalidArgumentError } from '../errors';
import type { MigrationJournal } from './journal';

import { DEFAULT_KEY_MOVE_OPTIONS, type ConflictPolicy, type Durability } from '../slot-move/key-move-options';

export type { ConflictPolicy, Durability };

export interface SlotMigratorOptions {
  /**
   * Keys per GETKEYSINSLOT / MIGRATE batch (redis-cli's --cluster-pipeline, default 10 there).
   * @defaultValue 1000
   */
  keysPerBatch?: number;
  /**
   * Slots with keys moved at once between one source and one target: each round opens them together,
   * moves their keys side by side and assigns them together.
   * @defaultValue 32
   */
  slotsInFlight?: number;
  /**
   * Source -> target pairs moved at once (independent pairs run side by side).
   * @defaultValue 4
   */
  concurrentPairs?: number;
  /**
   * Empty slots moved per pipelined round (IMPORTING, MIGRATING, COUNTKEYSINSLOT, NODE for all at once).
   * @defaultValue 512
   */
  emptySlotBatch?: number;
  /**
   * The floor of MIGRATE's own timeout, in ms. Each batch gets more in proportion to its bytes.
   * @defaultValue 5000
   */
  migrateTimeoutMs?: number;
  /**
   * The slowest transfer rate to allow for, in bytes/s: a batch of B bytes gets migrateTimeoutMs + B / rate.
   * A 100 MB key at 10 MB/s gets 15 s.
   * @defaultValue 10485760
   */
  minBytesPerSecond?: number;
  /**
   * What to do when a key already exists on the target (BUSYKEY): stop and name the keys, or overwrite.
   * @defaultValue 'fail'
   */
  onConflict?: ConflictPolicy;
  /**
   * 'replicas': copy each batch, wait until the target's replicas acknowledge it (WAIT), then delete it on the
   * source only if unchanged, so a target crash mid-move loses nothing. Slower.
   * @defaultValue 'none'
   */
  durability?: Durability;
  /**
   * How long WAIT may take in durability mode, in ms.
   * @defaultValue 5000
   */
  durabilityTimeoutMs?: number;
  /** Progress journal: a file path (JSON lines) or a MigrationJournal; none by default. */
  journal?: string | MigrationJournal;
}

export const DEFAULT_SLOT_MIGRATOR_OPTIONS = {
  ...DEFAULT_KEY_MOVE_OPTIONS,
  slotsInFlight: 32,
  concurrentPairs: 4,
  emptySlotBatch: 512,
};

export type ResolvedSlotMigratorOptions = typeof DEFAULT_SLOT_MIGRATOR_OPTIONS & { journal?: string | MigrationJournal };

export function resolveSlotMigratorOptions(options: SlotMigratorOptions = {}): ResolvedSlotMigratorOptions {
  const resolved: ResolvedSlotMigratorOptions = { ...DEFAULT_SLOT_MIGRATOR_OPTIONS, ...options };
  const positive = ['keysPerBatch', 'slotsInFlight', 'concurrentPairs', 'emptySlotBatch', 'migrateTimeoutMs', 'minBytesPerSecond', 'durabilityTimeoutMs'] as const;
  for (const name of positive) {
    const value = resolved[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      throw new InvalidArgumentError(name, value, 'not a whole number > 0', `Pass e.g. ${name}: ${DEFAULT_SLOT_MIGRATOR_OPTIONS[name]}.`);
    }
  }
  if (resolved.onConflict !== 'fail' && resolved.onConflict !== 'replace') {
    throw new InvalidArgumentError('onConflict', resolved.onConflict, "not 'fail' or 'replace'", "Pass onConflict: 'fail' (stop and name the keys) or 'replace' (overwrite the target's).");
  }
  if (resolved.durability !== 'none' && resolved.durability !== 'replicas') {
    throw new InvalidArgumentError('durability', resolved.durability, "not 'none' or 'replicas'", "Pass durability: 'replicas' to wait for the target's replicas.");
  }
  return resolved;
}
