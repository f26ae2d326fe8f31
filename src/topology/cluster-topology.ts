import { EventEmitter } from 'eventemitter3';
import { formatAddress, parseAddress, type NodeAddress } from '../model/address';
import type { ClusterState } from '../model/cluster-state';
import { SlotSet } from '../model/slot-set';
import { NodePool } from '../net/node-pool';
import { OperationLock } from '../lock/operation-lock';
import { OPERATION_LOCK_EVENT_LEVELS } from '../lock/lock-event-names';
import { forwardEvents } from '../util/event-logger';
import { VoteWindow } from '../model/vote-window';
import { withEndEvent } from '../util/operation-end';
import { emitterOf } from '../util/emit';
import { CLUSTER_TOPOLOGY_EVENT_LEVELS, CLUSTER_TOPOLOGY_EVENT_NAMES } from './topology-event-names';
import type { LeaseRecord } from '../lock/lease-store';
import { planCreate, type CreatePlan, type CreatePlanOptions } from '../plan/create-plan';
import { checkClusterState, type CheckReport } from './check-rules';
import { awaitAgreement, type ConvergenceResult, type WaitForConvergenceOptions } from './convergence';
import { executeCreate, type CreateResult, type ExecuteCreateOptions } from './create-cluster';
import { discoverCluster, type DiscoverOptions } from './discover';
import type { FixPlan } from '../plan/fix-plan';
import { checkExecuteFixArgs, executeClusterFix, fixCluster, planClusterFix, validateFixOptions, type FixReport } from './repair/fix-cluster';
import type { FixOptions } from './repair/fix-options';
import { addNode, validateAddNodeInput, type AddNodeResult } from './membership/add-node';
import { checkForgetArgs, forgetEverywhere, type ForgetResult } from './membership/forget-everywhere';
import type { AddNodeOptions, ForgetOptions, RemoveNodeOptions, ReplicateOptions } from './membership/membership-options';
import { readNodeTimeouts } from './membership/fast-gossip';
import { checkRemoveNodeArgs, removeNode, type RemoveNodeResult } from './membership/remove-node';
import { checkReplicateArgs, replicate, type ReplicateResult } from './membership/replicate';
import type { TopologyContext } from './topology-context';
import type { ClusterTopologyEvents } from './topology-events';
import { resolveTopologyOptions, type ClusterTopologyOptions, type ResolvedClusterTopologyOptions } from './topology-options';

export interface CreateOptions extends CreatePlanOptions, ExecuteCreateOptions {}

/**
 * The cluster as a whole: discovery, checks, creation, membership and repair. Holds one
 * connection per node (NodePool) until close().
 */
export class ClusterTopology extends EventEmitter<ClusterTopologyEvents> implements TopologyContext {
  readonly options: ResolvedClusterTopologyOptions;
  readonly pool: NodePool;
  /** The operation lease: every mutating method runs inside lock.run(). See docs/safety.md. */
  readonly lock: OperationLock;
  /** When each shard last held a failover election: the masters' vote window (see FailoverController). */
  readonly voteWindow = new VoteWindow();
  private lastState: ClusterState | undefined;
  /** Addresses learned from create() when the topology started without seeds. */
  private readonly learnedSeeds: NodeAddress[] = [];

  constructor(options: ClusterTopologyOptions) {
    super();
    this.options = resolveTopologyOptions(options);
    this.pool = new NodePool(this.options);
    this.lock = new OperationLock(
      {
        pool: this.pool,
        connection: this.options,
        candidates: () => [...this.reachableMembers(), ...this.options.seeds, ...this.learnedSeeds],
        liveMasters: async () => (await this.refresh()).masters.filter((m) => !m.failed).map((m) => ({ host: m.host, port: m.port })),
      },
      options.lock,
    );
    const { logger } = this.options;
    if (logger !== undefined) {
      forwardEvents(this, 'ClusterTopology', CLUSTER_TOPOLOGY_EVENT_LEVELS, logger, [this.options.password]);
      forwardEvents(this.lock, 'OperationLock', OPERATION_LOCK_EVENT_LEVELS, logger, [this.options.password]);
    }
  }

  /** The names of every event a ClusterTopology emits (its lease's are on `lock`: OPERATION_LOCK_EVENT_NAMES). */
  static readonly eventNames: readonly (keyof ClusterTopologyEvents)[] = CLUSTER_TOPOLOGY_EVENT_NAMES;

  get events(): this {
    return this;
  }

  /** The snapshot the last refresh() (or convergence wait) took. */
  get state(): ClusterState | undefined {
    return this.lastState;
  }

  /**
   * Queries every reachable node and merges their views. Once the cluster is known, its members are
   * asked first and the configured seeds only when no member answers: a seed that is not a member
   * (removed, silent, another service) is not dialled again.
   */
  async refresh(): Promise<ClusterState> {
    return this.discover();
  }

  private async discover(options: DiscoverOptions = {}): Promise<ClusterState> {
    const configured = [...this.options.seeds, ...this.learnedSeeds];
    const members = this.reachableMembers();
    const state =
      members.length > 0
        ? await discoverCluster(this.pool, members, [...configured.map(formatAddress), ...(this.lastState?.nodes.map((node) => node.address) ?? [])], options)
        : await discoverCluster(this.pool, configured, this.lastState?.nodes.map((node) => node.address) ?? [], options);
    for (const entry of state.unreachable) this.emit('node-unreachable', { ...entry });
    this.lastState = state;
    return state;
  }

  /** Everything `redis-cli --cluster check` reports, as typed problems with stable codes. */
  async check(): Promise<CheckReport> {
    // One round per node: the views and cluster-node-timeout together.
    const state = await this.discover({ nodeTimeouts: true });
    return checkClusterState(state, { nodeTimeouts: await readNodeTimeouts(this.pool, state) });
  }

  /** Pure: the plan create() would execute (emits `create-planned`). */
  planCreate(nodes: readonly NodeAddress[], options: CreatePlanOptions = {}): CreatePlan {
    const plan = planCreate(nodes, options);
    this.emit('create-planned', plan);
    return plan;
  }

  /** Creates a cluster from empty cluster-enabled nodes (plan + execute). */
  async create(nodes: readonly NodeAddress[], options: CreateOptions = {}): Promise<CreateResult> {
    return this.executeCreate(this.planCreate(nodes, options), options);
  }

  /** Executes a reviewed create plan; `create-end` reports the outcome, also on failure. */
  async executeCreate(plan: CreatePlan, options: ExecuteCreateOptions = {}): Promise<CreateResult> {
    return withEndEvent('create', (event) => this.emit('create-end', event), () => this.runCreate(plan, options));
  }

  private async runCreate(plan: CreatePlan, options: ExecuteCreateOptions): Promise<CreateResult> {
    for (const entry of [...plan.masters, ...plan.replicas]) {
      if (!this.learnedSeeds.some((seed) => formatAddress(seed) === entry.address)) this.learnedSeeds.push(parseAddress(entry.address));
    }
    const nodes = [...plan.masters, ...plan.replicas].map((entry) => parseAddress(entry.address));
    return this.lock.run('create', () => executeCreate(this, plan, options), { nodes });
  }

  /** Resolves when every node knows every other node and the same owner for every slot. */
  async waitForConvergence(options: WaitForConvergenceOptions = {}): Promise<ConvergenceResult> {
    const result = await awaitAgreement(() => this.refresh(), { ...options, timeoutMs: options.timeoutMs ?? this.options.convergenceTimeoutMs });
    this.emit('converged', { elapsedMs: result.elapsedMs, attempts: result.attempts, nodes: result.state.nodes.length });
    return result;
  }

  // --- repair (fix, planFix, executeFix) --- delegate to ./repair/*; keep methods thin.

  /**
   * Closes every open slot (whatever state a crash left it in) and assigns uncovered slots,
   * moving keys to the chosen owner; never deletes a key. See docs/fix.md.
   */
  async fix(options: FixOptions = {}): Promise<FixReport> {
    return withEndEvent('fix', (event) => this.emit('fix-end', event), async () => {
      validateFixOptions(options);
      return this.fixDone(await this.lock.run('fix', () => fixCluster(this, options, emitterOf<ClusterTopologyEvents>(this))));
    });
  }

  /** Gathers every master's view and key counts, then plans the repair (pure planFix); nothing is changed. */
  async planFix(): Promise<FixPlan> {
    const plan = await planClusterFix(this);
    this.emit('fix-planned', plan);
    return plan;
  }

  /** Executes a reviewed fix plan; refuses it (PlanError) when the cluster changed since it was made. */
  async executeFix(plan: FixPlan, options: FixOptions = {}): Promise<FixReport> {
    return withEndEvent('fix', (event) => this.emit('fix-end', event), async () => {
      checkExecuteFixArgs(plan, options);
      return this.fixDone(await this.lock.run('fix', () => executeClusterFix(this, plan, options)));
    });
  }

  private fixDone(report: FixReport): FixReport {
    this.emit('fix-done', { openSlots: report.openSlots.length, assignedSlots: report.assigned.reduce((n, a) => n + SlotSet.parse(a.slots).size, 0), movedKeys: report.movedKeys, elapsedMs: report.elapsedMs });
    return report;
  }

  // --- membership (addNode, removeNode, forgetEverywhere, replicate) --- delegate to ./membership/*.
  /**
   * Adds a started, empty, cluster-enabled node as a master (no slots until resharded) or as a
   * replica (of `of`, or of the master with the fewest replicas on another host). Resolves when
   * every node knows it. See docs/membership.md.
   */
  async addNode(node: NodeAddress, options: AddNodeOptions): Promise<AddNodeResult> {
    validateAddNodeInput(node, options);
    return this.lock.run('add-node', () => addNode(this, node, options));
  }

  /** Removes a replica or a master without slots (refuses one that serves slots: drain it first). */
  async removeNode(nodeId: string, options: RemoveNodeOptions = {}): Promise<RemoveNodeResult> {
    checkRemoveNodeArgs(nodeId, options);
    return this.lock.run('remove-node', () => removeNode(this, nodeId, options));
  }

  /** CLUSTER FORGET on every other node within the 60 s ban, until no node lists it. Works for dead nodes. */
  async forgetEverywhere(nodeId: string, options: ForgetOptions = {}): Promise<ForgetResult> {
    checkForgetArgs(nodeId, options);
    return this.lock.run('forget', () => forgetEverywhere(this, nodeId, options));
  }

  /** Makes `replicaId` replicate `masterId` (CLUSTER REPLICATE), verified on every node. */
  async replicate(replicaId: string, masterId: string, options: ReplicateOptions = {}): Promise<ReplicateResult> {
    checkReplicateArgs(replicaId, masterId, options);
    return this.lock.run('replicate', () => replicate(this, replicaId, masterId, options));
  }

  /**
   * Who holds the operation lease now, if anyone (read from the lease store).
   */
  async lockHolder(): Promise<LeaseRecord | undefined> {
    return this.lock.holder();
  }

  /**
   * Breaks the operation lease held by `token` (OperationLockedError.holder.token) when its holder
   * is gone for good: its host died, or its process was killed and you cannot wait for the lease to
   * expire. Never needed after a plain crash: the lease expires by itself (lock.ttlMs). A live holder
   * stops at its next heartbeat. Run check() and fix() afterwards.
   */
  async breakLock(token: string): Promise<LeaseRecord | undefined> {
    return this.lock.breakLock(token);
  }

  /** Closes every connection this topology opened. */
  async close(): Promise<void> {
    await this.lock.close();
    await this.pool.close();
  }

  /** `await using topology = new ClusterTopology(...)` closes it at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** The members the last snapshot could reach (empty before the first refresh). */
  private reachableMembers(): NodeAddress[] {
    return (this.lastState?.nodes ?? []).filter((node) => node.reachable && !node.failed && !node.handshake).map((node) => ({ host: node.host, port: node.port }));
  }
}
