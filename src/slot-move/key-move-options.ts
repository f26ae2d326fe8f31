/** What to do when a key already exists on the target (BUSYKEY): stop and name the keys, or overwrite. */
export type ConflictPolicy = 'fail' | 'replace';

/** Whether a batch is deleted on the source before ('none') or after ('replicas') the target's replicas hold it. */
export type Durability = 'none' | 'replicas';

/** The settings the key mover reads; SlotMigrator and fix() both resolve theirs into this shape. */
export interface KeyMoveOptions {
  keysPerBatch: number;
  /** MIGRATE's timeout floor; each batch gets more in proportion to its bytes, never more than maxMigrateTimeoutMs. */
  migrateTimeoutMs: number;
  /** The hard ceiling of MIGRATE's timeout: the longest one MIGRATE may block its source when the target stops answering. */
  maxMigrateTimeoutMs: number;
  minBytesPerSecond: number;
  /** After a MIGRATE timed out: how long a PING to the node may take before the node counts as unresponsive. */
  probeTimeoutMs: number;
  onConflict: ConflictPolicy;
  durability: Durability;
  durabilityTimeoutMs: number;
  /**
   * Ask each key's MEMORY USAGE along with the slot's keys (one script call per fetch), so batches can be
   * capped by bytes and MIGRATE's timeout can grow with them. Off (the migrator's budget-off mode): the keys
   * alone (GETKEYSINSLOT, a fraction of the source's time); every batch starts at the timeout floor, and a
   * value too large for it costs a retry with a longer timeout, never a key.
   * @defaultValue true
   */
  sizeKeys?: boolean;
}

/**
 * The key mover's defaults: 1000 keys per MIGRATE, a 1 s timeout floor plus 1 s per 10 MiB up to 10 s, a 1 s
 * probe after a timeout, stop on conflicts.
 */
export const DEFAULT_KEY_MOVE_OPTIONS: Readonly<KeyMoveOptions> = Object.freeze({
  keysPerBatch: 1000,
  migrateTimeoutMs: 1000,
  maxMigrateTimeoutMs: 10_000,
  minBytesPerSecond: 10 * 1024 * 1024,
  probeTimeoutMs: 1000,
  onConflict: 'fail',
  durability: 'none',
  durabilityTimeoutMs: 5000,
});

/** MIGRATE's timeout for a batch of `bytes` at the given attempt (1, 2...): 4x per retry, never above the ceiling. */
export function migrateTimeoutFor(options: Pick<KeyMoveOptions, 'migrateTimeoutMs' | 'maxMigrateTimeoutMs' | 'minBytesPerSecond'>, bytes: number, attempt = 1): number {
  const sized = (options.migrateTimeoutMs + (bytes / options.minBytesPerSecond) * 1000) * 4 ** (attempt - 1);
  return Math.max(1, Math.round(Math.min(options.maxMigrateTimeoutMs, sized)));
}
