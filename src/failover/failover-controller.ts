import { EventEmitter } from 'eventemitter3';
import { forwardEvents } from '../util/event-logger';
import { withEndEvent } from '../util/operation-end';
import { emitterOf, type Emit } from '../util/emit';
import { FAILOVER_CONTROLLER_EVENT_LEVELS, FAILOVER_CONTROLLER_EVENT_NAMES } from './failover-event-names';
import type { Cluster, Redis } from 'ioredis';
import { InvalidArgumentError } from '../errors';
import type { NodeAddress } from '../model/address';
import { parseRehomePlan } from '../plan/parse-rehome-plan';
import { parseSpreadMastersPlan } from '../plan/parse-spread-masters-plan';
import type { RehomePlan } from '../plan/rehome-plan';
import { throwIfAborted } from '../util/abort';
import type { SpreadMastersPlan } from '../plan/spread-masters-plan';
import type { TopologyContext } from '../topology/topology-context';
import type { FailoverControllerEvents } from './failover-events';
import {
  assertPositiveMs,
  assertSignal,
  resolveFailoverControllerOptions,
  type FailoverControllerOptions,
  type FailoverOptions,
  type ReplaceNodeOptions,
  type RehomeOptions,
  type ResolvedFailoverControllerOptions,
  type SpreadOptions,
  type WatchOptions,
} from './failover-options';
import { checkFailoverArgs, runFailover, type FailoverResult } from './manual-failover';
import { executeRehome, planRehome, type RehomeResult } from './rehome-replicas';
import { checkReplaceNodeArgs, replaceNode, type ReplaceNodeResult } from './replace-node';
import { openReplica, replicaReadCluster, type OpenReplicaOptions, type ReplicaReadClusterOptions } from './replica-reads';
import { executeSpread, planSpread, type SpreadResult } from './spread-masters';
import { startWatch, type WatchHandle } from './watcher';

/**
 * Failover and recovery: manual failover (default / force / takeover), a watch that turns
 * cluster changes into typed events, the runbook's host-failure replacement, re-homing replicas,
 * spreading masters over hosts, and reads from replicas. Works on a ClusterTopology (any
 * TopologyContext); membership events (node-added, node-forgotten...) are emitted by the topology.
 */
export class FailoverController extends EventEmitter<FailoverControllerEvents> {
  readonly options: ResolvedFailoverControllerOptions;
  private current: WatchHandle | undefined;

  /** How inner operations (runFailover, replaceNode) report: this controller's typed emit. */
  private readonly report: Emit<FailoverControllerEvents> = emitterOf<FailoverControllerEvents>(this);

  /** The names of every event a FailoverController emits. */
  static readonly eventNames: readonly (keyof FailoverControllerEvents)[] = FAILOVER_CONTROLLER_EVENT_NAMES;

  constructor(
    private readonly topology: TopologyContext,
    options: FailoverControllerOptions = {},
  ) {
    super();
    if (topology === null || typeof topology !== 'object' || typeof topology.refresh !== 'function') {
      throw new InvalidArgumentError('topology', topology, 'not a ClusterTopology', 'Pass new ClusterTopology({ seeds }).');
    }
    this.options = resolveFailoverControllerOptions(options);
    const logger = topology.options?.logger;
    if (logger !== undefined) forwardEvents(this, 'FailoverController', FAILOVER_CONTROLLER_EVENT_LEVELS, logger, [topology.options.password]);
  }

  /**
   * CLUSTER FAILOVER on the replica; resolves when it is master, its old master (if alive) is its
   * replica and every node agrees. Reports the new config epoch. See docs/failover-controller.md.
   */
  async failover(replicaId: string, options: FailoverOptions = {}): Promise<FailoverResult> {
    return withEndEvent('failover', (event) => this.emit('failover-end', event), () => this.runFailover(replicaId, options));
  }

  private async runFailover(replicaId: string, options: FailoverOptions): Promise<FailoverResult> {
    const resolved = { ...options, timeoutMs: options.timeoutMs ?? this.options.failoverTimeoutMs };
    // Bad arguments are refused before the lease is taken: nothing is sent.
    checkFailoverArgs(replicaId, resolved);
    const result = await this.topology.lock.run('failover', () => runFailover(
      this.topology,
      replicaId,
      resolved,
      this.report,
    ));
    this.emit('failover-done', result);
    return result;
  }

  /**
   * Polls the cluster every `intervalMs` and emits node-pfail, node-fail, node-recovered,
   * replica-promoted, master-demoted, master-without-replicas, node-joined and node-left.
   * One watch at a time: stop() (or the handle's stop(), or the signal) ends it.
   */
  watch(options: WatchOptions = {}): WatchHandle {
    if (this.current?.running === true) {
      throw new InvalidArgumentError('watch', 'already running', 'a watch is already running on this controller', 'Call stop() first, or keep using the handle watch() returned.');
    }
    const intervalMs = options.intervalMs ?? this.options.watchIntervalMs;
    assertPositiveMs(intervalMs, 'intervalMs');
    assertSignal(options.signal);
    const handle = startWatch(() => this.topology.refresh(), { intervalMs, ...(options.signal === undefined ? {} : { signal: options.signal }) }, {
      event: (event) => (this.emit as (name: string, payload: unknown) => boolean)(event.name, event.payload),
      error: (event) => this.emit('watch-error', event),
      started: (event) => this.emit('watch-started', event),
      stopped: (event) => this.emit('watch-stopped', event),
    });
    this.current = handle;
    return handle;
  }

  /** Stops the running watch, if any. */
  async stop(): Promise<void> {
    await this.current?.stop();
  }

  /**
   * Runbook section 13: waits for the dead master's replica to be promoted, makes every node
   * forget the dead node, and adds `newNode` as a replica of the promoted master (for a dead
   * replica: of its master).
   */
  async replaceNode(deadNodeId: string, newNode: NodeAddress, options: ReplaceNodeOptions = {}): Promise<ReplaceNodeResult> {
    return withEndEvent('replace', (event) => this.emit('replace-end', event), () => this.runReplace(deadNodeId, newNode, options));
  }

  private async runReplace(deadNodeId: string, newNode: NodeAddress, options: ReplaceNodeOptions): Promise<ReplaceNodeResult> {
    const resolved = { ...options, promotionTimeoutMs: options.promotionTimeoutMs ?? this.options.promotionTimeoutMs };
    checkReplaceNodeArgs(deadNodeId, newNode, resolved);
    const result = await this.topology.lock.run('replace-node', () => replaceNode(
      this.topology,
      deadNodeId,
      newNode,
      resolved,
      this.report,
    ));
    this.emit('replace-done', result);
    return result;
  }

  /** Pure plan (from a fresh snapshot): spare replicas that move to masters without replicas. Emits `rehome-planned`. */
  async planRehomeReplicas(options: RehomeOptions = {}): Promise<RehomePlan> {
    const plan = await planRehome(this.topology, options);
    this.emit('rehome-planned', plan);
    return plan;
  }

  /** Executes a rehome plan, re-checking each move first; `rehome-end` reports the outcome. */
  async executeRehome(plan: RehomePlan, options: RehomeOptions = {}): Promise<RehomeResult> {
    return withEndEvent('rehome', (event) => this.emit('rehome-end', event), async () => {
      parseRehomePlan(plan);
      assertSignal(options.signal);
      const result = await this.topology.lock.run('rehome-replicas', () => executeRehome(this.topology, plan, options));
      const { plan: _plan, ...rest } = result;
      this.emit('rehome-done', rest);
      return result;
    });
  }

  /** Masters left without replicas get one from a master with spare ones, keeping host anti-affinity. */
  async rehomeReplicas(options: RehomeOptions = {}): Promise<RehomeResult> {
    assertSignal(options.signal);
    throwIfAborted(options.signal, 'rehomeReplicas');
    return this.topology.lock.run('rehome-replicas', async () => this.executeRehome(await this.planRehomeReplicas(options), options));
  }

  /** Pure plan (from a fresh snapshot): failovers that spread masters evenly over hosts. Emits `spread-planned`. */
  async planSpreadMasters(): Promise<SpreadMastersPlan> {
    const plan = await planSpread(this.topology);
    this.emit('spread-planned', plan);
    return plan;
  }

  /** Executes a spread plan: default-mode failovers, one at a time; `spread-end` reports the outcome. */
  async executeSpread(plan: SpreadMastersPlan, options: SpreadOptions = {}): Promise<SpreadResult> {
    return withEndEvent('spread', (event) => this.emit('spread-end', event), () => this.runSpread(plan, options));
  }

  private async runSpread(plan: SpreadMastersPlan, options: SpreadOptions): Promise<SpreadResult> {
    parseSpreadMastersPlan(plan);
    assertSignal(options.signal);
    if (options.timeoutMs !== undefined) assertPositiveMs(options.timeoutMs, 'timeoutMs');
    const result = await this.topology.lock.run('spread-masters', () => executeSpread(
      this.topology,
      plan,
      (replicaId, masterId) =>
        this.failover(replicaId, {
          mode: 'default',
          of: masterId,
          ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        }),
      options.signal,
    ));
    const { plan: _plan, ...rest } = result;
    this.emit('spread-done', { ...rest, balanced: plan.balanced });
    return result;
  }

  /** After failovers piled masters onto one host, fails over to replicas so masters spread again. */
  async spreadMasters(options: SpreadOptions = {}): Promise<SpreadResult> {
    assertSignal(options.signal);
    if (options.timeoutMs !== undefined) assertPositiveMs(options.timeoutMs, 'timeoutMs');
    throwIfAborted(options.signal, 'spreadMasters');
    return this.topology.lock.run('spread-masters', async () => this.executeSpread(await this.planSpreadMasters(), options));
  }

  /** An ioredis Cluster reading from replicas (READONLY); see replicaReadCluster. */
  replicaReadCluster(options: ReplicaReadClusterOptions = {}): Cluster {
    return replicaReadCluster(this.topology, options);
  }

  /** A connection to one replica with READONLY sent; see openReplica. */
  async openReplica(replicaId: string, options: OpenReplicaOptions = {}): Promise<Redis> {
    return openReplica(this.topology, replicaId, options);
  }
}
