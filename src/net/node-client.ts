import { Redis } from 'ioredis';
import {
  AuthenticationError,
  ClusterOpsError,
  CommandFailedError,
  NodeTimeoutError,
  NodeUnreachableError,
  NotClusterNodeError,
  NotRedisError,
  PermissionDeniedError,
} from '../errors';
import { formatAddress, type NodeAddress } from '../model/address';
import { parseClusterNodes } from '../model/cluster-nodes-parser';
import { parseInfo } from '../model/info-parser';
import type { NodeInfo } from '../model/node-info';
import type { KeyName } from '../model/key-name';
import type { SlotSet } from '../model/slot-set';
import { capabilitiesOf, parseServerInfo, type ServerCapabilities } from './capabilities';
import { CommandHooks } from './command-hooks';
import { dialAddress, type ResolvedConnectionOptions } from './connection-options';
import { deniedCommand, isForeignGreeting, printableGreeting, recordGreeting, replyCode } from './reply-classes';
import { UnsupportedByServerError } from './errors';
import { explainConnectFailure } from './connect-diagnosis';
import { describeCommand, scrubSecrets } from './secrets';

export type CommandArg = string | number | Buffer;

export interface CallOptions {
  /** Overrides the client's command timeout for this command (e.g. a MIGRATE of a large batch). */
  timeoutMs?: number;
  /** Return bulk replies as Buffers (binary-safe: DUMP payloads, values). */
  buffer?: boolean;
}

export type SetSlotState = 'IMPORTING' | 'MIGRATING' | 'NODE' | 'STABLE';
export type FailoverMode = 'default' | 'force' | 'takeover';

export interface MigrateOptions {
  /** MIGRATE's own I/O timeout in ms (the server fails with IOERR past it). */
  timeoutMs: number;
  /** Keep the keys on the source (COPY). */
  copy?: boolean;
  /** Overwrite keys that exist on the target (REPLACE); otherwise BUSYKEY. */
  replace?: boolean;
}

/** Connections already closed after a timeout (see NodeClient.dropHung). */
const dropped = new WeakSet<Redis>();

/**
 * One connection to one node, with typed admin commands. Errors are translated into the SDK's
 * family and scrubbed of secrets. Created by NodePool; callers never construct ioredis clients.
 */
export class NodeClient {
  /** The announced address, `host:port`. */
  readonly address: string;
  readonly host: string;
  readonly port: number;
  private redis: Redis | undefined;
  private connecting: Promise<Redis> | undefined;
  /** The connection being opened, so close() can end it too. */
  private opening: Redis | undefined;
  /** The first bytes the current connection received (to name a peer that is not Redis). */
  private greeting: () => Buffer | undefined = () => undefined;
  /** The capabilities of the server behind one connection: asked once per connection (INFO server). */
  private serverCapabilities: { redis: Redis; value: Promise<ServerCapabilities> } | undefined;

  constructor(
    address: NodeAddress,
    private readonly options: ResolvedConnectionOptions,
    private readonly hooks: CommandHooks = new CommandHooks(),
  ) {
    this.host = address.host;
    this.port = address.port;
    this.address = formatAddress(address);
  }

  /** The command timeout this client applies when a call does not set its own. */
  get commandTimeoutMs(): number {
    return this.options.commandTimeoutMs;
  }

  /** Sends any command; replies come back raw (ioredis decoding). */
  async call(args: readonly CommandArg[], callOptions: CallOptions = {}): Promise<unknown> {
    if (!this.hooks.isEmpty) await this.hooks.run(this.address, [args]);
    return this.send(args, callOptions, true);
  }

  /**
   * Sends one command. Unchecked (no hooks ran): for this client's own reads whose reply several
   * callers share (the server's capabilities); a hook may hold a command until an operation's lease
   * is taken, and the lease store's own reads must not wait on such a reply. Checked (call() ran
   * the hooks): the last-moment checks run once the connection is ready, right before the write.
   */
  private async send(args: readonly CommandArg[], callOptions: CallOptions, checked = false): Promise<unknown> {
    const redis = await this.connection();
    if (checked) this.hooks.check(this.address, [args]);
    const [name, ...rest] = args;
    const timeoutMs = callOptions.timeoutMs ?? this.options.commandTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    let timedOut: NodeTimeoutError | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = new NodeTimeoutError(this.address, `${describeCommand(args)} got no reply within ${timeoutMs} ms`, timeoutMs);
        reject(timedOut);
        // A node that does not answer in time is treated as hung: forget this connection so later
        // commands do not queue behind this one (the next call dials afresh), and close it.
        this.dropHung(redis);
      }, timeoutMs);
    });
    try {
      const reply = callOptions.buffer === true ? redis.callBuffer(String(name), ...rest) : redis.call(String(name), ...rest);
      return await Promise.race([reply, timeout]);
    } catch (error) {
      throw timedOut ?? (await this.explain(this.translate(error, args), error));
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Sends many commands in one write (an ioredis pipeline) and returns each reply or the error
   * for that command, already translated. For rounds of SETSLOT / COUNTKEYSINSLOT over many slots:
   * one write lets Redis handle them in one event-loop pass (one nodes.conf save, not hundreds).
   */
  async pipeline(commands: readonly (readonly CommandArg[])[], callOptions: CallOptions = {}): Promise<(unknown | ClusterOpsError)[]> {
    if (commands.length === 0) return [];
    if (!this.hooks.isEmpty) await this.hooks.run(this.address, commands);
    const redis = await this.connection();
    this.hooks.check(this.address, commands);
    const pipeline = redis.pipeline();
    for (const [name, ...rest] of commands) {
      if (callOptions.buffer === true) pipeline.callBuffer(String(name), ...rest);
      else pipeline.call(String(name), ...rest);
    }
    const timeoutMs = callOptions.timeoutMs ?? this.options.commandTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        this.dropHung(redis);
        reject(new NodeTimeoutError(this.address, `a pipeline of ${commands.length} commands got no reply within ${timeoutMs} ms`, timeoutMs));
      }, timeoutMs);
    });
    try {
      const replies = (await Promise.race([pipeline.exec(), timeout])) ?? [];
      return replies.map(([error, reply], i) => (error === null ? reply : this.translate(error, commands[i] ?? [])));
    } catch (error) {
      throw error instanceof ClusterOpsError ? error : await this.explain(this.translate(error, ['PIPELINE']), error);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * What the server behind this connection is (Redis or Valkey, which version) and supports. Asked
   * once per connection (`INFO server`) and cached until the connection is replaced.
   */
  async capabilities(): Promise<ServerCapabilities> {
    const redis = await this.connection();
    if (this.serverCapabilities?.redis !== redis) {
      const value = this.send(['INFO', 'server'], {}).then((reply) =>
        capabilitiesOf(parseServerInfo(parseInfo(String(reply), `INFO reply from ${this.address}`), `INFO server reply from ${this.address}`)),
      );
      value.catch(() => {
        if (this.serverCapabilities?.value === value) this.serverCapabilities = undefined;
      });
      this.serverCapabilities = { redis, value };
    }
    return this.serverCapabilities.value;
  }

  /** capabilities(), or undefined when the server refuses INFO (renamed away); connection errors still throw. */
  async capabilitiesIfKnown(): Promise<ServerCapabilities | undefined> {
    return this.capabilities().catch((error: unknown) => {
      if (error instanceof CommandFailedError) return undefined;
      throw error;
    });
  }

  async ping(): Promise<void> {
    await this.call(['PING']);
  }

  async clusterNodes(): Promise<NodeInfo[]> {
    return parseClusterNodes(String(await this.call(['CLUSTER', 'NODES'])));
  }

  async clusterInfo(): Promise<Record<string, string>> {
    return parseInfo(String(await this.call(['CLUSTER', 'INFO'])), `CLUSTER INFO reply from ${this.address}`);
  }

  async info(section?: string): Promise<Record<string, string>> {
    // INFO everything (6.0+) is INFO all on older servers, which answer an unknown section with nothing.
    const name = section === 'everything' && (await this.capabilitiesIfKnown())?.infoEverything === false ? 'all' : section;
    const args: CommandArg[] = name === undefined ? ['INFO'] : ['INFO', name];
    return parseInfo(String(await this.call(args)), `INFO reply from ${this.address}`);
  }

  async myId(): Promise<string> {
    return String(await this.call(['CLUSTER', 'MYID']));
  }

  async dbsize(): Promise<number> {
    return Number(await this.call(['DBSIZE']));
  }

  async meet(host: string, port: number, busPort?: number): Promise<void> {
    await this.call(busPort === undefined ? ['CLUSTER', 'MEET', host, port] : ['CLUSTER', 'MEET', host, port, busPort]);
  }

  /** CLUSTER ADDSLOTSRANGE where the server has it (Redis 7.0+), else CLUSTER ADDSLOTS with every slot. */
  async addSlots(slots: SlotSet): Promise<void> {
    if (slots.isEmpty) return;
    await this.call(await this.slotCommand('ADDSLOTS', slots));
  }

  /** CLUSTER DELSLOTSRANGE where the server has it (Redis 7.0+), else CLUSTER DELSLOTS with every slot. */
  async delSlots(slots: SlotSet): Promise<void> {
    if (slots.isEmpty) return;
    await this.call(await this.slotCommand('DELSLOTS', slots));
  }

  /** CLUSTER SHARDS (Redis 7.0+); refused with UnsupportedByServerError before 7.0. */
  async clusterShards(): Promise<unknown[]> {
    const capabilities = await this.capabilities();
    if (!capabilities.clusterShards) {
      throw new UnsupportedByServerError(this.address, 'CLUSTER SHARDS', capabilities, '7.0', 'Read the topology with CLUSTER NODES (ClusterTopology.refresh()) or CLUSTER SLOTS instead.');
    }
    return (await this.call(['CLUSTER', 'SHARDS'])) as unknown[];
  }

  /** The replicas of a master as this node sees them: CLUSTER REPLICAS (5.0+) or CLUSTER SLAVES. */
  async clusterReplicas(masterId: string): Promise<NodeInfo[]> {
    const { clusterReplicasCommand } = await this.capabilities();
    const lines = (await this.call(['CLUSTER', clusterReplicasCommand, masterId])) as string[];
    return parseClusterNodes(lines.join('\n'));
  }

  async setConfigEpoch(epoch: number): Promise<void> {
    await this.call(['CLUSTER', 'SET-CONFIG-EPOCH', epoch]);
  }

  async bumpEpoch(): Promise<string> {
    return String(await this.call(['CLUSTER', 'BUMPEPOCH']));
  }

  async replicate(masterId: string): Promise<void> {
    await this.call(['CLUSTER', 'REPLICATE', masterId]);
  }

  async setSlot(slot: number, state: SetSlotState, nodeId?: string): Promise<void> {
    await this.call(nodeId === undefined ? ['CLUSTER', 'SETSLOT', slot, state] : ['CLUSTER', 'SETSLOT', slot, state, nodeId]);
  }

  async countKeysInSlot(slot: number): Promise<number> {
    return Number(await this.call(['CLUSTER', 'COUNTKEYSINSLOT', slot]));
  }

  /** Up to `count` key names of a slot, as bytes (a key name need not be UTF-8). */
  async getKeysInSlot(slot: number, count: number): Promise<KeyName[]> {
    return (await this.call(['CLUSTER', 'GETKEYSINSLOT', slot, count], { buffer: true })) as KeyName[];
  }

  /**
   * MIGRATE a batch of keys to `target` (the target's announced address, as the source node
   * must dial it). Resolves to 'NOKEY' when none of the keys existed.
   */
  async migrate(target: NodeAddress, keys: readonly (string | KeyName)[], migrateOptions: MigrateOptions): Promise<'OK' | 'NOKEY'> {
    const args: CommandArg[] = ['MIGRATE', target.host, target.port, '', 0, Math.max(1, Math.round(migrateOptions.timeoutMs))];
    if (migrateOptions.copy === true) args.push('COPY');
    if (migrateOptions.replace === true) args.push('REPLACE');
    if (this.options.password !== undefined) {
      if (this.options.username !== undefined) {
        const capabilities = await this.capabilities();
        if (!capabilities.aclUsers) {
          throw new UnsupportedByServerError(this.address, 'MIGRATE AUTH2 (ACL users)', capabilities, '6.0', 'Connect with the requirepass password only (no username), or upgrade the cluster to 6.0+.');
        }
        args.push('AUTH2', this.options.username, this.options.password);
      } else args.push('AUTH', this.options.password);
    }
    args.push('KEYS', ...keys);
    // Our own timeout leaves room for MIGRATE's, so the server's IOERR (clearer) wins.
    const reply = await this.call(args, { timeoutMs: migrateOptions.timeoutMs * 2 + this.options.commandTimeoutMs });
    return reply === 'NOKEY' ? 'NOKEY' : 'OK';
  }

  async forget(nodeId: string): Promise<void> {
    await this.call(['CLUSTER', 'FORGET', nodeId]);
  }

  async failover(mode: FailoverMode = 'default'): Promise<void> {
    await this.call(mode === 'default' ? ['CLUSTER', 'FAILOVER'] : ['CLUSTER', 'FAILOVER', mode.toUpperCase()]);
  }

  async reset(hard = false): Promise<void> {
    await this.call(['CLUSTER', 'RESET', hard ? 'HARD' : 'SOFT']);
  }

  async configGet(pattern: string): Promise<Record<string, string>> {
    const flat = (await this.call(['CONFIG', 'GET', pattern])) as string[];
    const result: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) result[flat[i] as string] = flat[i + 1] as string;
    return result;
  }

  async configSet(name: string, value: string | number): Promise<void> {
    await this.call(['CONFIG', 'SET', name, value]);
  }

  /** Closes the connection; the next call reconnects. */
  async close(): Promise<void> {
    const redis = this.redis;
    this.redis = undefined;
    this.connecting = undefined;
    // A connection still in its handshake (a silent peer) is ended at once, not left to its timeout.
    this.opening?.disconnect();
    this.opening = undefined;
    if (redis === undefined) return;
    try {
      if (redis.status === 'ready') await Promise.race([redis.quit(), new Promise((resolve) => setTimeout(resolve, 500))]);
    } catch {
      // already gone
    } finally {
      redis.disconnect();
    }
  }

  /**
   * Forgets and closes a connection whose command timed out, once: every command in flight on it
   * times out together, and each extra disconnect() would add one more 'close' listener to the
   * same socket (Node's MaxListenersExceededWarning past 10).
   */
  private dropHung(redis: Redis): void {
    if (this.redis === redis) this.redis = undefined;
    if (dropped.has(redis)) return;
    dropped.add(redis);
    redis.disconnect();
  }

  private async connection(): Promise<Redis> {
    if (this.redis !== undefined && (this.redis.status === 'ready' || this.redis.status === 'connect')) return this.redis;
    if (this.connecting !== undefined) return this.connecting;
    this.connecting = this.openConnection().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async openConnection(): Promise<Redis> {
    this.redis?.disconnect();
    this.redis = undefined;
    const dial = dialAddress(this.options.natMap, this.host, this.port);
    const redis = new Redis({
      host: dial.host,
      port: dial.port,
      ...(this.options.username === undefined ? {} : { username: this.options.username }),
      ...(this.options.password === undefined ? {} : { password: this.options.password }),
      ...(this.options.tls === undefined ? {} : { tls: this.options.tls }),
      connectTimeout: this.options.connectTimeoutMs,
      lazyConnect: true,
      enableReadyCheck: false,
      enableOfflineQueue: true,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      retryStrategy: () => null,
    });
    // Errors surface through the command promises; an unhandled 'error' event would crash the process.
    // During connect, the 'error' event carries the real cause (e.g. WRONGPASS); connect() only says "closed".
    let connectError: unknown;
    redis.on('error', (error: unknown) => {
      connectError ??= error;
    });
    this.greeting = recordGreeting(redis);
    this.opening = redis;
    // A frozen node accepts TCP but never answers ioredis's handshake: bound the whole wait.
    const limitMs = this.options.connectTimeoutMs + this.options.commandTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        redis.connect(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new NodeTimeoutError(this.address, `no answer to the connection handshake within ${limitMs} ms`, limitMs)), limitMs);
        }),
      ]).finally(() => clearTimeout(timer));
    } catch (error) {
      redis.disconnect();
      throw await this.explain(this.translate(error instanceof NodeTimeoutError ? error : (connectError ?? error), ['CONNECT']), connectError ?? error);
    } finally {
      if (this.opening === redis) this.opening = undefined;
    }
    this.redis = redis;
    // An idle connection must not keep the process alive when a caller forgets close(): every
    // command in flight holds its own (ref'd) reply timer until it settles.
    redis.stream?.unref();
    return redis;
  }

  private async slotCommand(name: 'ADDSLOTS' | 'DELSLOTS', slots: SlotSet): Promise<CommandArg[]> {
    // A server whose INFO is renamed away cannot say its version: ADDSLOTS / DELSLOTS work on every version.
    if ((await this.capabilitiesIfKnown())?.slotRanges === true) return ['CLUSTER', `${name}RANGE`, ...slots.ranges.flatMap(([start, end]) => [start, end])];
    return ['CLUSTER', name, ...slots];
  }

  /** A connection-level failure explained where the evidence allows: TLS needed, ACL users missing. */
  private async explain(error: ClusterOpsError, raw: unknown): Promise<ClusterOpsError> {
    return explainConnectFailure(error, raw, { host: this.host, port: this.port, address: this.address, options: this.options });
  }

  /**
   * Our error family for what ioredis reports. Server replies are classified by their protocol
   * error code (the first word). Only two conditions come with the generic `ERR` code, so their
   * wording is the signal: Redis 5's `ERR invalid password` and `ERR This instance has cluster
   * support disabled`. A peer's bytes that cannot start a RESP reply make a NotRedisError.
   */
  private translate(error: unknown, args: readonly CommandArg[]): ClusterOpsError {
    if (error instanceof ClusterOpsError) return error;
    const raw = error instanceof Error ? error.message : String(error);
    const message = scrubSecrets(raw, [this.options.password]);
    const command = describeCommand(args);
    const isReply = error instanceof Error && error.name === 'ReplyError';
    if (isReply) {
      const code = replyCode(message);
      if (code === 'WRONGPASS' || code === 'NOAUTH' || (code === 'ERR' && /^ERR invalid (password|username)/.test(message))) {
        const reason = code === 'NOAUTH' && this.options.password === undefined ? `the node requires a password and none was given (${message})` : message;
        return new AuthenticationError(this.address, reason);
      }
      if (code === 'NOPERM') return new PermissionDeniedError(this.address, this.options.username ?? 'default', [deniedCommand(message) ?? command.toLowerCase().replace(' ', '|')]);
      if (code === 'ERR' && message.includes('cluster support disabled')) return new NotClusterNodeError(this.address);
      return new CommandFailedError(this.address, command, message);
    }
    const greeting = this.greeting();
    if (greeting !== undefined && isForeignGreeting(greeting)) return new NotRedisError(this.address, printableGreeting(greeting));
    return new NodeUnreachableError(this.address, message, { cause: new Error(message) });
  }
}
