import { EventEmitter } from 'eventemitter3';
import pRetry from 'p-retry';
import { forwardEvents } from '../util/event-logger';
import { IMPORTER_EVENT_LEVELS, IMPORTER_EVENT_NAMES } from './import-event-names';
import { CommandFailedError, OperationAbortedError } from '../errors';
import { formatAddress } from '../model/address';
import type { ClusterState } from '../model/cluster-state';
import { printableKey, type KeyName } from '../model/key-name';
import { keySlot } from '../model/key-slot';
import type { CommandArg, NodeClient } from '../net/node-client';
import { NodePool } from '../net/node-pool';
import { runLimited } from '../util/run-limited';
import { discoverCluster } from '../topology/discover';
import { throwIfAborted } from '../util/abort';
import { ImportAbortedError, ImportConflictError, ImportFailedError } from './errors';
import type { ImporterEvents } from './import-events';
import { resolveImportOptions, type ImportCursor, type ImportOptions, type ResolvedImportOptions } from './import-options';

export interface ImportResult {
  movedKeys: number;
  /** Keys already in the target with the same value (nothing to do). */
  skippedKeys: number;
  sources: string[];
  elapsedMs: number;
  cursor: ImportCursor;
}

interface Run {
  options: ResolvedImportOptions;
  sourcePool: NodePool;
  cluster: boolean;
  state: ClusterState;
  cursor: ImportCursor;
  moved: number;
  skipped: number;
  scanned: number;
  started: number;
}

/** Reply codes after which a batch is retried on a fresh view of the target (a slot moved under it). */
const RETRYABLE = new Set(['MOVED', 'ASK', 'TRYAGAIN', 'CLUSTERDOWN']);
const BATCH_RETRIES = 5;

/**
 * Copies or moves every key of a standalone instance, or of every master of another cluster, into
 * this cluster: SCAN on each source, keys grouped by the target master owning their slot, MIGRATE
 * in batches with several calls in flight. TTLs travel with MIGRATE. Resumable from a cursor.
 */
export class Importer extends EventEmitter<ImporterEvents> {
  /** The names of every event an Importer emits. */
  static readonly eventNames: readonly (keyof ImporterEvents)[] = IMPORTER_EVENT_NAMES;

  async importData(input: ImportOptions): Promise<ImportResult> {
    const options = resolveImportOptions(input);
    const sourcePool = new NodePool(options.source);
    const logger = options.into.options?.logger;
    const detach = logger === undefined ? undefined : forwardEvents(this, 'Importer', IMPORTER_EVENT_LEVELS, logger, [options.source.password, options.into.options.password]);
    try {
      // The source sends the MIGRATEs into the cluster: its connections are fenced too.
      return await options.into.lock.run('import', () => this.importWith(options, sourcePool), { pools: [sourcePool] });
    } finally {
      detach?.();
    }
  }

  private async importWith(options: ResolvedImportOptions, sourcePool: NodePool): Promise<ImportResult> {
    const run: Run = {
      options,
      sourcePool,
      cluster: false,
      state: (await options.into.waitForConvergence(options.signal === undefined ? {} : { signal: options.signal })).state,
      cursor: { nodes: { ...(options.resumeFrom?.nodes ?? {}) }, done: [...(options.resumeFrom?.done ?? [])] },
      moved: 0,
      skipped: 0,
      scanned: 0,
      started: Date.now(),
    };
    try {
      const sources = await this.sources(run);
      this.emit('start', { sources, cluster: run.cluster });
      await Promise.all(sources.filter((source) => !run.cursor.done.includes(source)).map((source) => this.importNode(run, source)));
      this.emit('end', { status: 'done', movedKeys: run.moved, skippedKeys: run.skipped, elapsedMs: Date.now() - run.started });
      return { movedKeys: run.moved, skippedKeys: run.skipped, sources, elapsedMs: Date.now() - run.started, cursor: run.cursor };
    } catch (error) {
      const aborted = error instanceof OperationAbortedError || run.options.signal?.aborted === true;
      this.emit('end', { status: aborted ? 'aborted' : 'failed', movedKeys: run.moved, skippedKeys: run.skipped, elapsedMs: Date.now() - run.started });
      if (error instanceof ImportConflictError) throw error;
      throw aborted ? new ImportAbortedError(snapshot(run.cursor), error) : new ImportFailedError(snapshot(run.cursor), error, false);
    } finally {
      await sourcePool.close();
    }
  }

  /** A standalone source, or every master of a source cluster. */
  private async sources(run: Run): Promise<string[]> {
    const seed = run.sourcePool.get(run.options.from);
    const info = await seed.info('cluster');
    if (info['cluster_enabled'] !== '1') return [seed.address];
    run.cluster = true;
    const state = await discoverCluster(run.sourcePool, [run.options.from]);
    return state.masters.filter((m) => m.slots.size > 0 && m.reachable).map((m) => m.address);
  }

  private async importNode(run: Run, source: string): Promise<void> {
    const client = run.sourcePool.get(source);
    let cursor = run.cursor.nodes[source] ?? '0';
    do {
      throwIfAborted(run.options.signal, 'import');
      const args: CommandArg[] = ['SCAN', cursor, 'COUNT', run.options.batchSize];
      if (run.options.match !== undefined) args.push('MATCH', run.options.match);
      // Buffers: key names are bytes, and must go back to MIGRATE exactly as SCAN gave them.
      const [next, keys] = (await client.call(args, { buffer: true })) as [Buffer, KeyName[]];
      run.scanned += keys.length;
      if (keys.length > 0) await this.moveKeys(run, client, keys);
      cursor = next.toString();
      run.cursor.nodes[source] = cursor;
      this.emit('progress', {
        source,
        scannedKeys: run.scanned,
        movedKeys: run.moved,
        skippedKeys: run.skipped,
        keysPerSecond: Math.round((run.moved * 1000) / Math.max(1, Date.now() - run.started)),
        cursor: snapshot(run.cursor),
      });
    } while (cursor !== '0');
    run.cursor.done.push(source);
  }

  /** Moves one SCAN batch: grouped by target owner (and slot for a cluster source, whose MIGRATE must not cross slots). */
  private async moveKeys(run: Run, source: NodeClient, keys: readonly KeyName[]): Promise<void> {
    const codeOf = (error: CommandFailedError): string => error.targetReplyCode ?? error.replyCode;
    const retryable = (error: unknown): error is CommandFailedError => error instanceof CommandFailedError && RETRYABLE.has(codeOf(error));
    await pRetry(() => this.moveBatch(run, source, keys), {
      retries: BATCH_RETRIES,
      minTimeout: 50,
      maxTimeout: 1000,
      ...(run.options.signal === undefined ? {} : { signal: run.options.signal }),
      shouldRetry: ({ error }) => retryable(error),
      onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
        if (!retryable(error) || retriesLeft === 0) return;
        this.emit('retry', { source: source.address, attempt: attemptNumber, retriesLeft, code: codeOf(error), reason: error.reply });
        run.state = (await run.options.into.waitForConvergence(run.options.signal === undefined ? {} : { signal: run.options.signal })).state;
      },
    });
  }

  /** One try of a batch, grouped by the owners the current view of the target shows. */
  private async moveBatch(run: Run, source: NodeClient, keys: readonly KeyName[]): Promise<void> {
    const groups = new Map<string, KeyName[]>();
    for (const key of keys) {
      const slot = keySlot(key);
      const owner = run.state.ownerOf(slot);
      if (owner === undefined) throw new CommandFailedError(formatAddress(run.options.from), 'IMPORT', `slot ${slot} of key ${printableKey(key)} has no owner in the target cluster: run fix() on it first`);
      const group = run.cluster ? `${owner.address}#${slot}` : owner.address;
      groups.set(group, [...(groups.get(group) ?? []), key]);
    }
    await runLimited([...groups], run.options.concurrency, ([group, groupKeys]) => this.migrateGroup(run, source, group.split('#')[0] as string, groupKeys));
  }

  private async migrateGroup(run: Run, source: NodeClient, target: string, keys: KeyName[]): Promise<void> {
    const { options } = run;
    const targetClient = options.into.pool.get(target);
    let toMove = keys;
    if (!options.replace) {
      const exists = await targetClient.pipeline(keys.map((key) => ['EXISTS', key]));
      const present = keys.filter((_, i) => Number(exists[i]) === 1);
      if (present.length > 0) {
        const [mine, theirs] = await Promise.all([
          source.pipeline(present.map((key) => ['DUMP', key]), { buffer: true }),
          targetClient.pipeline(present.map((key) => ['DUMP', key]), { buffer: true }),
        ]);
        const same = present.filter((_, i) => sameDumpedValue(mine[i], theirs[i]));
        const different = present.filter((key) => !same.includes(key));
        if (different.length > 0) throw new ImportConflictError(different, snapshot(run.cursor));
        // Already imported with the same value: nothing to copy; a move still takes it off the source.
        if (!options.copy && same.length > 0) await source.call(['DEL', ...same]);
        run.skipped += same.length;
        toMove = keys.filter((key) => !present.includes(key));
      }
    }
    if (toMove.length === 0) return;
    const [host, port] = splitAddress(target);
    const args: CommandArg[] = ['MIGRATE', host, port, '', 0, options.timeoutMs];
    if (options.copy) args.push('COPY');
    if (options.replace) args.push('REPLACE');
    const auth = options.into.options;
    if (auth.password !== undefined) args.push(...(auth.username === undefined ? ['AUTH', auth.password] : ['AUTH2', auth.username, auth.password]));
    args.push('KEYS', ...toMove);
    await source.call(args, { timeoutMs: options.timeoutMs * 2 + 5000 });
    run.moved += toMove.length;
  }
}

/** Convenience: `new Importer().importData(options)`. */
export async function importData(options: ImportOptions): Promise<ImportResult> {
  return new Importer().importData(options);
}

/**
 * A DUMP payload is the serialized value, then the RDB version (2 bytes) and a CRC64 (8 bytes). The
 * same value dumped by two server versions (Redis 7.0: RDB 10, Valkey 8: RDB 11) differs only in
 * that footer, so the values are compared without it. A value whose encoding changed between
 * versions (e.g. ziplist to listpack) still compares unequal: reported as a conflict, never lost.
 */
function sameDumpedValue(a: unknown, b: unknown): boolean {
  if (!Buffer.isBuffer(a) || !Buffer.isBuffer(b) || a.length < 10 || b.length < 10) return false;
  return a.equals(b) || a.subarray(0, -10).equals(b.subarray(0, -10));
}

function snapshot(cursor: ImportCursor): ImportCursor {
  return { nodes: { ...cursor.nodes }, done: [...cursor.done] };
}

function splitAddress(address: string): [string, number] {
  const index = address.lastIndexOf(':');
  return [address.slice(0, index).replace(/^\[|\]$/g, ''), Number(address.slice(index + 1))];
}
