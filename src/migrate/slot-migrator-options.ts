import { InvalidArgumentError } from '../errors';
import { frozen, stripUndefined } from '../util/frozen';
import type { MigrationJournal } from './journal';

import { DEFAULT_KEY_MOVE_OPTIONS, type ConflictPolicy, type Durability } from '../slot-move/key-move-options';

export type { ConflictPolicy, Durability };

/**
 * What an AbortSignal does to the slots open at that moment (at most `maxOpenSlots` per pair):
 * `'finish-in-flight'` moves their remaining keys and assigns them before rejecting, so the cluster is left
 * clean; `'leave-open'` stops after the MIGRATE in flight and leaves them MIGRATING/IMPORTING (listed in the error).
 */
export type AbortPolicy = 'finish-in-flight' | 'leave-open';

export interface SlotMigratorOptions {
  /**
   * Keys per GETKEYSINSLOT / MIGRATE batch (redis-cli's --cluster-pipeline, default 10 there).
   * @defaultValue 1000
   */
  keysPerBatch?: number;
  /**
   * The most slots open (MIGRATING / IMPORTING) at once per source -> target pair: what a crash or an abort
   * can leave open. Slots move in rounds of this many: opened together, their keys moved side by side (one
   * MIGRATE at a time per source), then assigned together with a single epoch bump.
   * @defaultValue 16
   */
  maxOpenSlots?: number;
  /**
   * @deprecated Use maxOpenSlots (the same bound under its old name); used when maxOpenSlots is not given.
   */
  slotsInFlight?: number;
  /**
   * Source -> target pairs moved at once. Pairs start round-robin over their sources, so every source of the
   * plan works side by side; each source still runs one MIGRATE at a time.
   * @defaultValue 8
   */
  concurrentPairs?: number;
  /**
   * The longest one MIGRATE should block its source, in ms: a source serves no client while it runs one, so
   * this is what a client may wait on top of its usual latency. A controller measures each MIGRATE and sizes
   * the batches (keys and bytes) to stay within it. `null` turns it off: batches of keysPerBatch, as fast as
   * possible.
   * @defaultValue 1.5
   */
  latencyBudgetMs?: number | null;
  /**
   * A probe connection per source PINGs it this often (ms) during a migration, and progress / end events report
   * the round trips' p99 as the clients' view; `null`: no probe.
   * @defaultValue 25
   */
  clientProbeIntervalMs?: number | null;
  /**
   * @deprecated Empty slots now move in the same bounded rounds as the others (maxOpenSlots); ignored.
   */
  emptySlotBatch?: number;
  /**
   * The floor of MIGRATE's own timeout, in ms. Each batch gets more in proportion to its bytes.
   * @defaultValue 1000
   */
  migrateTimeoutMs?: number;
  /**
   * The ceiling of MIGRATE's timeout, in ms, retries included: the longest a source is blocked by one MIGRATE
   * towards a target that stopped answering. Raise it for keys of hundreds of MB on a slow network.
   * @defaultValue 10000
   */
  maxMigrateTimeoutMs?: number;
  /**
   * The slowest transfer rate to allow for, in bytes/s: a batch of B bytes gets migrateTimeoutMs + B / rate.
   * A 100 MB key at 10 MB/s gets 11 s (then the ceiling applies).
   * @defaultValue 10485760
   */
  minBytesPerSecond?: number;
  /**
   * After a MIGRATE timed out, the target (and the source, if it did not answer us) must answer a PING within
   * this many ms before another MIGRATE is sent to it; otherwise the migration stops with NodeUnresponsiveError.
   * @defaultValue 1000
   */
  probeTimeoutMs?: number;
  /**
   * What an AbortSignal does to the slots open at that moment.
   * @defaultValue 'finish-in-flight'
   */
  onAbort?: AbortPolicy;
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

export const DEFAULT_SLOT_MIGRATOR_OPTIONS = frozen({
  ...DEFAULT_KEY_MOVE_OPTIONS,
  maxOpenSlots: 16,
  concurrentPairs: 8,
  latencyBudgetMs: 1.5 as number | null,
  clientProbeIntervalMs: 25 as number | null,
  onAbort: 'finish-in-flight' as AbortPolicy,
});

export type ResolvedSlotMigratorOptions = typeof DEFAULT_SLOT_MIGRATOR_OPTIONS & { journal?: string | MigrationJournal };

export function resolveSlotMigratorOptions(options: SlotMigratorOptions = {}): ResolvedSlotMigratorOptions {
  const { slotsInFlight, emptySlotBatch, ...rest } = options;
  for (const [name, value] of [['slotsInFlight', slotsInFlight], ['emptySlotBatch', emptySlotBatch]] as const) {
    if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value) || value <= 0)) {
      throw new InvalidArgumentError(name, value, 'not a whole number > 0', `Pass e.g. maxOpenSlots: ${DEFAULT_SLOT_MIGRATOR_OPTIONS.maxOpenSlots} (${name} is deprecated).`);
    }
  }
  const resolved: ResolvedSlotMigratorOptions = {
    ...DEFAULT_SLOT_MIGRATOR_OPTIONS,
    ...(slotsInFlight === undefined ? {} : { maxOpenSlots: slotsInFlight }),
    ...stripUndefined(rest),
  };
  const positive = ['keysPerBatch', 'maxOpenSlots', 'concurrentPairs', 'migrateTimeoutMs', 'maxMigrateTimeoutMs', 'minBytesPerSecond', 'probeTimeoutMs', 'durabilityTimeoutMs'] as const;
  for (const name of positive) {
    const value = resolved[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
      throw new InvalidArgumentError(name, value, 'not a whole number > 0', `Pass e.g. ${name}: ${DEFAULT_SLOT_MIGRATOR_OPTIONS[name]}.`);
    }
  }
  for (const name of ['latencyBudgetMs', 'clientProbeIntervalMs'] as const) {
    const value = resolved[name];
    if (value !== null && (typeof value !== 'number' || !Number.isFinite(value) || value <= 0)) {
      throw new InvalidArgumentError(name, value, 'not a number > 0 or null', `Pass e.g. ${name}: ${DEFAULT_SLOT_MIGRATOR_OPTIONS[name]}, or null to turn it off.`);
    }
  }
  if (resolved.maxMigrateTimeoutMs < resolved.migrateTimeoutMs) {
    throw new InvalidArgumentError('maxMigrateTimeoutMs', resolved.maxMigrateTimeoutMs, `below migrateTimeoutMs (${resolved.migrateTimeoutMs})`, 'Pass a ceiling at least as high as the floor.');
  }
  if (resolved.onConflict !== 'fail' && resolved.onConflict !== 'replace') {
    throw new InvalidArgumentError('onConflict', resolved.onConflict, "not 'fail' or 'replace'", "Pass onConflict: 'fail' (stop and name the keys) or 'replace' (overwrite the target's).");
  }
  if (resolved.durability !== 'none' && resolved.durability !== 'replicas') {
    throw new InvalidArgumentError('durability', resolved.durability, "not 'none' or 'replicas'", "Pass durability: 'replicas' to wait for the target's replicas.");
  }
  if (resolved.onAbort !== 'finish-in-flight' && resolved.onAbort !== 'leave-open') {
    throw new InvalidArgumentError('onAbort', resolved.onAbort, "not 'finish-in-flight' or 'leave-open'", "Pass onAbort: 'finish-in-flight' (close the open slots first) or 'leave-open'.");
  }
  return resolved;
}
