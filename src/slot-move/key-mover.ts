import { ClusterOpsError, CommandFailedError, NodeTimeoutError } from '../errors';
import type { NodeAddress } from '../model/address';
import { keyId, type KeyName } from '../model/key-name';
import type { NodeClient } from '../net/node-client';
import type { NodePool } from '../net/node-pool';
import { throwIfAborted } from '../util/abort';
import { KeyConflictError } from './key-conflict-error';
import { compareTargetCopies } from './target-inspector';
import type { KeyMoveOptions } from './key-move-options';

export interface KeyMoveJob {
  slot: number;
  source: NodeClient;
  /** The target's announced address (the source dials it for MIGRATE). */
  target: NodeAddress;
  targetClient: NodeClient;
  /** Replicas the target has (for WAIT in durability mode). */
  targetReplicas: number;
}

export interface KeyMoveHooks {
  onBatch(event: { keys: number; bytes: number; timeoutMs: number; elapsedMs: number }): void;
  onRetry(event: { attempt: number; reason: string; keysPerBatch: number; timeoutMs: number }): void;
}

const MAX_ATTEMPTS = 6;
/** Compare-and-delete: removes the key only if its value is still the one we copied. */
const DELETE_IF_UNCHANGED = "if redis.call('DUMP', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/**
 * Moves every key of one slot from source to target, whose slot must already be MIGRATING /
 * IMPORTING. Batches adapt: MIGRATE's timeout grows with the batch's bytes (MEMORY USAGE), and an
 * IOERR or timeout halves the batch and quadruples the timeout. Keys found on both sides with the
 * same value are not conflicts; different values stop the move (KeyConflictError) unless
 * onConflict is 'replace'. Never deletes a key that did not reach the target.
 */
export async function moveSlotKeys(
  pool: NodePool,
  job: KeyMoveJob,
  options: KeyMoveOptions,
  hooks: KeyMoveHooks,
  signal?: AbortSignal,
): Promise<{ keys: number; bytes: number }> {
  let batchSize = options.keysPerBatch;
  let timeoutFactor = 1;
  let attempt = 0;
  /** Keys (by keyId) whose copy on the target is known to be ours: re-sending them needs REPLACE. */
  const ours = new Set<string>();
  let moved = 0;
  let movedBytes = 0;
  for (;;) {
    throwIfAborted(signal, 'migration');
    const keys = await job.source.getKeysInSlot(job.slot, batchSize);
    if (keys.length === 0) return { keys: moved, bytes: movedBytes };
    // A MIGRATING source never creates a key (a write to a missing key is sent to the target with
    // ASK), so a short batch was the slot's last: no need to ask again once it has moved.
    const last = keys.length < batchSize;
    const bytes = await batchBytes(job.source, keys);
    const timeoutMs = Math.round((options.migrateTimeoutMs + (bytes / options.minBytesPerSecond) * 1000) * timeoutFactor);
    const started = Date.now();
    try {
      const count =
        options.durability === 'replicas'
          ? await copyThenDelete(job, keys, timeoutMs, ours, options)
          : await migrateBatch(job, keys, timeoutMs, ours, options.onConflict === 'replace');
      moved += count;
      movedBytes += bytes;
      attempt = 0;
      hooks.onBatch({ keys: count, bytes, timeoutMs, elapsedMs: Date.now() - started });
      if (last && options.durability === 'none') return { keys: moved, bytes: movedBytes };
    } catch (error) {
      const reply = error instanceof CommandFailedError ? error.reply : '';
      if (reply.includes('BUSYKEY')) {
        moved += await countGone(job.source, keys);
        await resolveBusyKeys(pool, job, keys, options, ours);
        continue;
      }
      const transient = reply.includes('IOERR') || reply.includes('timeout') || error instanceof NodeTimeoutError;
      if (!transient || ++attempt >= MAX_ATTEMPTS) throw error;
      // The batch may be partly restored on the target: those copies are ours, so the retry may replace them.
      for (const key of keys) ours.add(keyId(key));
      batchSize = Math.max(1, Math.floor(batchSize / 2));
      timeoutFactor *= 4;
      hooks.onRetry({ attempt, reason: reply || (error as Error).message, keysPerBatch: batchSize, timeoutMs: timeoutMs * 4 });
    }
  }
}

async function migrateBatch(job: KeyMoveJob, keys: KeyName[], timeoutMs: number, ours: Set<string>, replaceAll: boolean): Promise<number> {
  const replaceable = replaceAll ? keys : keys.filter((key) => ours.has(keyId(key)));
  const fresh = replaceAll ? [] : keys.filter((key) => !ours.has(keyId(key)));
  if (replaceable.length > 0) await job.source.migrate(job.target, replaceable, { timeoutMs, replace: true });
  if (fresh.length > 0) await job.source.migrate(job.target, fresh, { timeoutMs });
  return keys.length;
}

/** Durability mode: DUMP, COPY, WAIT for the target's replicas, then delete each key only if unchanged. */
async function copyThenDelete(job: KeyMoveJob, keys: KeyName[], timeoutMs: number, ours: Set<string>, options: KeyMoveOptions): Promise<number> {
  const dumps = await Promise.all(keys.map((key) => job.source.call(['DUMP', key], { buffer: true }).catch(() => null) as Promise<Buffer | null>));
  const copies = keys.flatMap((key, i) => (dumps[i] === null ? [] : [{ key, dump: dumps[i] as Buffer }]));
  const present = copies.map(({ key }) => key);
  const replaceAll = options.onConflict === 'replace';
  const replaceable = present.filter((key) => replaceAll || ours.has(keyId(key)));
  const fresh = present.filter((key) => !replaceAll && !ours.has(keyId(key)));
  if (replaceable.length > 0) await job.source.migrate(job.target, replaceable, { timeoutMs, copy: true, replace: true });
  if (fresh.length > 0) await job.source.migrate(job.target, fresh, { timeoutMs, copy: true });
  for (const key of present) ours.add(keyId(key));
  if (job.targetReplicas > 0) {
    const acked = Number(await job.targetClient.call(['WAIT', job.targetReplicas, options.durabilityTimeoutMs], { timeoutMs: options.durabilityTimeoutMs + 5000 }));
    if (acked < job.targetReplicas) {
      throw new ClusterOpsError(
        'ERR_DURABILITY',
        `Slot ${job.slot}: only ${acked} of ${job.targetReplicas} replica(s) of ${job.targetClient.address} acknowledged the copied keys within ${options.durabilityTimeoutMs} ms; the keys stay on the source. Check the replicas' link (INFO replication), then resume.`,
        { details: { slot: job.slot, acked, replicas: job.targetReplicas } },
      );
    }
  }
  const deleted = await Promise.all(copies.map(({ key, dump }) => job.source.call(['EVAL', DELETE_IF_UNCHANGED, 1, key, dump]).catch(() => 0)));
  return deleted.filter((n) => Number(n) === 1).length;
}

/**
 * MIGRATE stops at the first busy key but has already moved (and deleted) the keys before it: counts
 * the batch's keys the source no longer has. On a MIGRATING source a missing key answers -ASK.
 */
async function countGone(source: NodeClient, keys: readonly KeyName[]): Promise<number> {
  const replies = await source.pipeline(keys.map((key) => ['EXISTS', key]));
  return replies.filter((reply) => Number(reply) !== 1).length;
}

/**
 * After BUSYKEY: the keys of the batch still on the source met a copy on the target. Same value
 * (a copy of ours from an earlier run): re-send with REPLACE. Different value: a real conflict.
 */
async function resolveBusyKeys(pool: NodePool, job: KeyMoveJob, keys: KeyName[], options: KeyMoveOptions, ours: Set<string>): Promise<void> {
  const { same, different } = await compareTargetCopies(pool, { host: job.source.host, port: job.source.port }, job.target, keys);
  for (const key of same) ours.add(keyId(key));
  if (different.length > 0 && options.onConflict !== 'replace') {
    throw new KeyConflictError(job.slot, different, job.source.address, job.targetClient.address);
  }
  for (const key of different) ours.add(keyId(key));
}

/** Sums MEMORY USAGE over the keys server-side (one round trip); per key if the script is refused. */
const SUM_MEMORY_USAGE = "local total = 0 for _, key in ipairs(ARGV) do total = total + (redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0') or 0) end return total";

async function batchBytes(source: NodeClient, keys: readonly KeyName[]): Promise<number> {
  try {
    return Number(await source.call(['EVAL', SUM_MEMORY_USAGE, 0, ...keys]));
  } catch {
    const sizes = await Promise.all(keys.map((key) => source.call(['MEMORY', 'USAGE', key, 'SAMPLES', '0']).catch(() => 0)));
    return sizes.reduce<number>((sum, size) => sum + (Number(size) || 0), 0);
  }
}
