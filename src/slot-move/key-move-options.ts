/** What to do when a key already exists on the target (BUSYKEY): stop and name the keys, or overwrite. */
export type ConflictPolicy = 'fail' | 'replace';

/** Whether a batch is deleted on the source before ('none') or after ('replicas') the target's replicas hold it. */
export type Durability = 'none' | 'replicas';

/** The settings the key mover reads; SlotMigrator and fix() both resolve theirs into this shape. */
export interface KeyMoveOptions {
  keysPerBatch: number;
  migrateTimeoutMs: number;
  minBytesPerSecond: number;
  onConflict: ConflictPolicy;
  durability: Durability;
  durabilityTimeoutMs: number;
}

/** The key mover's defaults: 1000 keys per MIGRATE, a 5 s timeout floor plus 1 s per 10 MiB, stop on conflicts. */
export const DEFAULT_KEY_MOVE_OPTIONS: Readonly<KeyMoveOptions> = Object.freeze({
  keysPerBatch: 1000,
  migrateTimeoutMs: 5000,
  minBytesPerSecond: 10 * 1024 * 1024,
  onConflict: 'fail',
  durability: 'none',
  durabilityTimeoutMs: 5000,
});
