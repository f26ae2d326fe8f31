import pRetry from 'p-retry';
import { ClusterOpsError, CommandFailedError, NodeTimeoutError, NodeUnreachableError } from '../errors';
import type { NodeAddress } from '../model/address';
import { keyId, type KeyName } from '../model/key-name';
import type { MigrateOptions, NodeClient } from '../net/node-client';
import type { NodePool } from '../net/node-pool';
import { throwIfAborted } from '../util/abort';
import { KeyConflictError } from './key-conflict-error';
import { compareTargetCopies } from './target-inspector';
import { migrateTimeoutFor, type KeyMoveOptions } from './key-move-options';
import { MigrateLanes } from './migrate-lanes';
import { NodeUnresponsiveError } from './node-unresponsive-error';

export interface KeyMoveJob {
  slot: number;
  source: NodeClient;
  /** The target's announced address (the source dials it for MIGRATE). */
  target: NodeAddress;
  targetClient: NodeClient;
  /** Replicas the target has (for WAIT in durability mode). */
  targetReplicas: number;
  /**
   * Shared by every move of one operation, so each source runs one MIGRATE at a time and a node that stopped
   * answering gets no further MIGRATE. Without it the move uses lanes of its own.
   */
  lanes?: MigrateLanes;
}

export interface KeyMoveHooks {
  onBatch(event: { keys: number; bytes: number; timeoutMs: number; elapsedMs: number }): void;
  onRetry(event: { attempt: number; reason: string; keysPerBatch: number; timeoutMs: number }): void;
  /**
   * The next batch's limits: at most `keys` keys and, past its first key, at most `bytes` bytes (a latency
   * controller sizes batches here); keysPerBatch keys without it.
   */
  nextBatch?(): { keys: number; bytes: number };
  /** Each batch's keys, bytes and how long its MIGRATEs blocked the source (MigrateLanes.timed), for a latency controller. */
  onMigrate?(event: { keys: number; bytes: number; elapsedMs: number }): void;
}

/** Tries per batch: the first and up to five retries, each with half the keys and four times the timeout (up to the ceiling). */
const MAX_ATTEMPTS = 6;
/** Compare-and-delete: removes the key only if its value is still the one we copied. */
const DELETE_IF_UNCHANGED = "if redis.call('DUMP', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/**
 * A failed MIGRATE worth retrying: the source's IOERR (it got no answer from the target within MIGRATE's
 * timeout, or lost the connection), or no reply from the source within ours. Decided by class and code only.
 */
export function isMigrateTimeout(error: unknown): boolean {
  if (error instanceof CommandFailedError) return error.replyCode === 'IOERR';
  return error instanceof NodeTimeoutError;
}

/** MIGRATE relays the target's refusal as `ERR Target instance replied with error: <CODE> ...`. */
const TARGET_REPLY = 'ERR Target instance replied with error: ';

/** The error code the target gave a MIGRATE (`BUSYKEY`, `CLUSTERDOWN`...), or '' when the source refused it itself. */
export function targetReplyCode(error: CommandFailedError): string {
  if (error.replyCode === 'BUSYKEY') return 'BUSYKEY';
  return error.reply.startsWith(TARGET_REPLY) ? (error.reply.slice(TARGET_REPLY.length).split(' ', 1)[0] ?? '') : '';
}

type BatchOutcome = { kind: 'empty' } | { kind: 'moved'; keys: number; bytes: number; last: boolean } | { kind: 'busy'; keys: number };

/**
 * Moves every key of one slot from source to target, whose slot must already be MIGRATING /
 * IMPORTING. Batches adapt: MIGRATE's timeout grows with the batch's bytes (MEMORY USAGE) up to a hard
 * ceiling, and a timeout (IOERR) first probes the nodes (PING with a short timeout): a node that does not
 * answer stops the move with NodeUnresponsiveError and gets no further MIGRATE; otherwise the batch is
 * retried (p-retry) with half the keys and four times the timeout. Keys found on both sides with the
 * same value are not conflicts; different values stop the move (KeyConflictError) unless onConflict is
 * 'replace'. Never deletes a key that did not reach the target.
 */
export async function moveSlotKeys(
  pool: NodePool,
  job: KeyMoveJob,
  options: KeyMoveOptions,
  hooks: KeyMoveHooks,
  signal?: AbortSignal,
): Promise<{ keys: number; bytes: number }> {
  const lanes = job.lanes ?? new MigrateLanes(pool, options.probeTimeoutMs);
  /** Keys (by keyId) whose copy on the target is known to be ours: re-sending them needs REPLACE. */
  const ours = new Set<string>();
  /** Keys fetched ahead, in GETKEYSINSLOT order, with their MEMORY USAGE: the next batches without a round trip. */
  let queue: SizedKey[] = [];
  /** The last fetch returned fewer keys than asked: the queue holds every key the slot has left. */
  let exhausted = false;
  const viaScript = { ok: true };
  let moved = 0;
  let movedBytes = 0;
  for (;;) {
    throwIfAborted(signal, 'migration');
    const limit = hooks.nextBatch?.() ?? { keys: options.keysPerBatch, bytes: Number.POSITIVE_INFINITY };
    let inFlight: KeyName[] = [];
    let inFlightTimeout = 0;
    const outcome = await pRetry(
      async (attempt): Promise<BatchOutcome> => {
        const batchSize = Math.max(1, Math.floor(limit.keys / 2 ** (attempt - 1)));
        // With durability, a key that changed between its copy and the delete stays on the source: look again.
        if (queue.length === 0 && options.durability === 'replicas') exhausted = false;
        if (queue.length < batchSize && !exhausted) {
          // GETKEYSINSLOT lists the slot's keys in a stable order: a fetch returns the queued ones again, and more.
          const want = Math.min(FETCH_MAX, Math.max(batchSize * FETCH_AHEAD, batchSize));
          queue = options.sizeKeys === false ? await fetchKeys(job.source, job.slot, want) : await fetchSized(job.source, job.slot, want, viaScript);
          exhausted = queue.length < want;
        }
        const batch = takeBatch(queue, batchSize, limit.bytes / 2 ** (attempt - 1));
        if (batch.length === 0) return { kind: 'empty' };
        const keys = batch.map((entry) => entry.key);
        const bytes = batch.reduce((sum, entry) => sum + entry.size, 0);
        const timeoutMs = migrateTimeoutFor(options, bytes, attempt);
        inFlight = keys;
        inFlightTimeout = timeoutMs;
        const started = Date.now();
        try {
          const { count, elapsedMs } =
            options.durability === 'replicas'
              ? await copyThenDelete(job, lanes, keys, timeoutMs, ours, options)
              : await migrateBatch(job, lanes, keys, timeoutMs, ours, options.onConflict === 'replace');
          queue = queue.slice(batch.length);
          hooks.onMigrate?.({ keys: keys.length, bytes, elapsedMs });
          hooks.onBatch({ keys: count, bytes, timeoutMs, elapsedMs: Date.now() - started });
          // A MIGRATING source never creates a key (a write to a missing key is sent to the target with
          // ASK), so once the last fetch came back short and its keys moved, the slot is empty.
          return { kind: 'moved', keys: count, bytes, last: exhausted && queue.length === 0 };
        } catch (error) {
          if (!(error instanceof CommandFailedError) || targetReplyCode(error) !== 'BUSYKEY') throw error;
          const gone = await countGone(job.source, keys);
          await resolveBusyKeys(pool, job, keys, options, ours);
          queue = [];
          exhausted = false;
          return { kind: 'busy', keys: gone };
        }
      },
      {
        retries: MAX_ATTEMPTS - 1,
        minTimeout: 0,
        shouldRetry: ({ error }) => isMigrateTimeout(error),
        onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
          if (!isMigrateTimeout(error)) return;
          // The batch may be partly restored on the target: those copies are ours, so the retry may replace them.
          for (const key of inFlight) ours.add(keyId(key));
          await requireResponsive(lanes, job, error);
          if (retriesLeft > 0) {
            hooks.onRetry({
              attempt: attemptNumber,
              reason: error instanceof CommandFailedError ? error.reply : error.message,
              keysPerBatch: Math.max(1, Math.floor(limit.keys / 2 ** attemptNumber)),
              timeoutMs: Math.min(options.maxMigrateTimeoutMs, inFlightTimeout * 4),
            });
          }
        },
      },
    );
    if (outcome.kind === 'empty') return { keys: moved, bytes: movedBytes };
    moved += outcome.keys;
    if (outcome.kind === 'moved') {
      movedBytes += outcome.bytes;
      if (outcome.last && options.durability === 'none') return { keys: moved, bytes: movedBytes };
    }
  }
}

type SizedKey = { key: KeyName; size: number };
/** Keys fetched per GETKEYSINSLOT: this many batches ahead, at most FETCH_MAX keys. */
const FETCH_AHEAD = 4;
const FETCH_MAX = 4000;

/** The first keys of the queue: at most `count`, and past the first, at most `bytes` bytes in all. */
function takeBatch(queue: readonly SizedKey[], count: number, bytes: number): SizedKey[] {
  const batch: SizedKey[] = [];
  let total = 0;
  for (const entry of queue) {
    if (batch.length >= count || (batch.length > 0 && total + entry.size > bytes)) break;
    batch.push(entry);
    total += entry.size;
  }
  return batch;
}

/**
 * After a MIGRATE timed out: PINGs the source (if it did not answer us) and the target with the short probe
 * timeout; throws NodeUnresponsiveError naming the first that stays silent.
 */
async function requireResponsive(lanes: MigrateLanes, job: KeyMoveJob, error: unknown): Promise<void> {
  const targetAddress = job.targetClient.address;
  const nodes: [string, 'source' | 'target'][] = error instanceof NodeUnreachableError ? [[job.source.address, 'source'], [targetAddress, 'target']] : [[targetAddress, 'target']];
  const alive = await Promise.all(nodes.map(([node]) => lanes.probe(node)));
  const silent = nodes.find((_, i) => alive[i] === false);
  if (silent !== undefined) throw new NodeUnresponsiveError(silent[0], silent[1], job.slot, lanes.probeTimeoutMs, { cause: error });
}

/** One MIGRATE through the source's lane; resolves to how long it blocked the source (MigrateLanes.timed). */
function laneMigrate(job: KeyMoveJob, lanes: MigrateLanes, keys: readonly KeyName[], migrateOptions: MigrateOptions): Promise<number> {
  const source = job.source.address;
  const target = job.targetClient.address;
  return lanes.run(
    source,
    target,
    () => lanes.timed(job.source, () => job.source.migrate(job.target, keys, migrateOptions)),
    (node) => new NodeUnresponsiveError(node, node === source ? 'source' : 'target', job.slot, lanes.probeTimeoutMs),
  );
}

async function migrateBatch(job: KeyMoveJob, lanes: MigrateLanes, keys: KeyName[], timeoutMs: number, ours: Set<string>, replaceAll: boolean): Promise<Migrated> {
  const replaceable = replaceAll ? keys : keys.filter((key) => ours.has(keyId(key)));
  const fresh = replaceAll ? [] : keys.filter((key) => !ours.has(keyId(key)));
  let elapsedMs = 0;
  if (replaceable.length > 0) elapsedMs += await laneMigrate(job, lanes, replaceable, { timeoutMs, replace: true });
  if (fresh.length > 0) elapsedMs += await laneMigrate(job, lanes, fresh, { timeoutMs });
  return { count: keys.length, elapsedMs };
}

/** Keys a batch moved, and the time its MIGRATEs took from send to reply. */
type Migrated = { count: number; elapsedMs: number };

/** Durability mode: DUMP, COPY, WAIT for the target's replicas, then delete each key only if unchanged. */
async function copyThenDelete(job: KeyMoveJob, lanes: MigrateLanes, keys: KeyName[], timeoutMs: number, ours: Set<string>, options: KeyMoveOptions): Promise<Migrated> {
  const dumps = await Promise.all(keys.map((key) => job.source.call(['DUMP', key], { buffer: true }).catch(() => null) as Promise<Buffer | null>));
  const copies = keys.flatMap((key, i) => (dumps[i] === null ? [] : [{ key, dump: dumps[i] as Buffer }]));
  const present = copies.map(({ key }) => key);
  const replaceAll = options.onConflict === 'replace';
  const replaceable = present.filter((key) => replaceAll || ours.has(keyId(key)));
  const fresh = present.filter((key) => !replaceAll && !ours.has(keyId(key)));
  let elapsedMs = 0;
  if (replaceable.length > 0) elapsedMs += await laneMigrate(job, lanes, replaceable, { timeoutMs, copy: true, replace: true });
  if (fresh.length > 0) elapsedMs += await laneMigrate(job, lanes, fresh, { timeoutMs, copy: true });
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
  return { count: deleted.filter((n) => Number(n) === 1).length, elapsedMs };
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

/**
 * GETKEYSINSLOT and each key's MEMORY USAGE in one round trip, server-side: replies `{ key1, size1, key2, size2... }`.
 * Refused (scripts disabled, a server that keeps CLUSTER out of scripts)? Then the two commands are sent.
 */
const FETCH_SIZED =
  "local keys = redis.call('CLUSTER', 'GETKEYSINSLOT', ARGV[1], ARGV[2]) local out = {} " +
  "for _, key in ipairs(keys) do out[#out + 1] = key out[#out + 1] = redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0') or 0 end " +
  'return out';
/** Each key's MEMORY USAGE, server-side (one round trip). */
const MEMORY_USAGES = "local out = {} for i, key in ipairs(ARGV) do out[i] = redis.call('MEMORY', 'USAGE', key, 'SAMPLES', '0') or 0 end return out";

/**
 * Up to `count` keys of the slot (as bytes), each with its MEMORY USAGE. `viaScript.ok` turns false (for the rest
 * of this slot's move) once the server refused the script, e.g. for keys of a slot it no longer owns.
 */
async function fetchSized(source: NodeClient, slot: number, count: number, viaScript: { ok: boolean }): Promise<SizedKey[]> {
  if (viaScript.ok) {
    try {
      const reply = (await source.call(['EVAL', FETCH_SIZED, 0, slot, count], { buffer: true })) as unknown[];
      const sized: SizedKey[] = [];
      for (let i = 0; i + 1 < reply.length; i += 2) sized.push({ key: reply[i] as KeyName, size: Number(reply[i + 1]) || 0 });
      return sized;
    } catch (error) {
      if (!(error instanceof CommandFailedError)) throw error;
      viaScript.ok = false;
    }
  }
  const keys = await source.getKeysInSlot(slot, count);
  if (keys.length === 0) return [];
  const sizes = await memoryUsages(source, keys);
  return keys.map((key, i) => ({ key, size: sizes[i] ?? 0 }));
}

/** Up to `count` keys of the slot, sizes unknown (0). */
async function fetchKeys(source: NodeClient, slot: number, count: number): Promise<SizedKey[]> {
  return (await source.getKeysInSlot(slot, count)).map((key) => ({ key, size: 0 }));
}

async function memoryUsages(source: NodeClient, keys: readonly KeyName[]): Promise<number[]> {
  try {
    return ((await source.call(['EVAL', MEMORY_USAGES, 0, ...keys])) as unknown[]).map((size) => Number(size) || 0);
  } catch {
    const sizes = await Promise.all(keys.map((key) => source.call(['MEMORY', 'USAGE', key, 'SAMPLES', '0']).catch(() => 0)));
    return sizes.map((size) => Number(size) || 0);
  }
}
