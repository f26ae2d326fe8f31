import { ClusterOpsError } from '../errors';

/** The replica refused CLUSTER FAILOVER (e.g. "Master is down or failed, please use CLUSTER FAILOVER FORCE"). */
export class FailoverRefusedError extends ClusterOpsError {
  readonly replicaId: string;
  readonly mode: string;

  constructor(replicaId: string, address: string, mode: string, reason: string, fix: string) {
    super('ERR_FAILOVER_REFUSED', `CLUSTER FAILOVER${mode === 'default' ? '' : ` ${mode.toUpperCase()}`} on ${address} (${replicaId}) refused: ${reason}. ${fix}`, {
      details: { replicaId, address, mode, reason },
    });
    this.replicaId = replicaId;
    this.mode = mode;
  }
}

/** The replica did not become master (and the cluster did not agree) in time. */
export class FailoverTimeoutError extends ClusterOpsError {
  readonly replicaId: string;
  readonly mode: string;
  readonly problems: readonly string[];

  constructor(replicaId: string, address: string, mode: string, timeoutMs: number, problems: readonly string[]) {
    const hint =
      mode === 'default'
        ? "A default failover needs the master to answer and the replica to catch up within Redis's 5 s manual-failover limit: if the master is down use mode 'force'."
        : mode === 'force'
          ? "A forced failover still needs a majority of masters to vote: if they cannot be reached, mode 'takeover' promotes without a vote."
          : 'The takeover happened on the replica but the cluster did not agree in time.';
    super(
      'ERR_FAILOVER_TIMEOUT',
      `Failover of ${address} (${replicaId}, mode ${mode}) did not complete within ${timeoutMs} ms: ${problems.slice(0, 4).join('; ')}. ${hint} ` +
        "If masters log 'can't vote about this master before', this shard failed over moments ago: retry after 2 x cluster-node-timeout. " +
        "If masters keep logging 'Failover auth granted to' node-to-node latency is too high or timeouts too tight: raise cluster-node-timeout.",
      { details: { replicaId, address, mode, timeoutMs, problems } },
    );
    this.replicaId = replicaId;
    this.mode = mode;
    this.problems = problems;
  }
}

/** replaceNode of a dead master that had no replica: nothing can take over its slots. */
export class NoReplicaToPromoteError extends ClusterOpsError {
  readonly nodeId: string;

  constructor(nodeId: string, address: string, slots: string) {
    super(
      'ERR_NO_REPLICA_TO_PROMOTE',
      `Dead master ${address} (${nodeId}) had no replica: slots ${slots} stay down until it comes back (restart it with its data and nodes.conf). ` +
        'Give every master a replica on another host (addNode as replica, rehomeReplicas) so a host failure costs no slots.',
      { details: { nodeId, address, slots } },
    );
    this.nodeId = nodeId;
  }
}

/** replaceNode waited for the cluster to promote the dead master's replica, in vain. */
export class PromotionTimeoutError extends ClusterOpsError {
  readonly nodeId: string;
  readonly replicaIds: readonly string[];

  constructor(nodeId: string, address: string, replicaIds: readonly string[], timeoutMs: number) {
    super(
      'ERR_PROMOTION_TIMEOUT',
      `No replica of dead master ${address} (${nodeId}) was promoted within ${timeoutMs} ms. ` +
        `Promote one by hand: failover.failover("${replicaIds[0] ?? 'replica-id'}", { mode: 'force' }) (or 'takeover' when most masters are down), then call replaceNode again.`,
      { details: { nodeId, address, replicaIds, timeoutMs } },
    );
    this.nodeId = nodeId;
    this.replicaIds = replicaIds;
  }
}

/** A replica of a dead master, as replaceNode found it when the master's address was taken over. */
export interface TakenOverReplica {
  id: string;
  address: string;
  /** DBSIZE now (undefined when it did not answer). */
  keys: number | undefined;
  /** master_link_status in its INFO replication. */
  linkStatus: string | undefined;
  /** True when its replication link is up to the server at the master's address: it resynced from that server. */
  resyncedFromOccupant: boolean;
}

/**
 * replaceNode of a dead master whose address another server (another node id) answers at: Redis
 * marks the dead id `noaddr`, never fails it over, and its replicas resync from that server.
 */
export class DeadNodeAddressTakenError extends ClusterOpsError {
  readonly nodeId: string;
  readonly replicas: readonly TakenOverReplica[];

  constructor(nodeId: string, address: string | undefined, occupantId: string | undefined, slots: string, replicas: readonly TakenOverReplica[]) {
    const where = address ?? "the dead master's address";
    const emptied = replicas.filter((replica) => replica.resyncedFromOccupant);
    const intact = replicas.filter((replica) => !replica.resyncedFromOccupant && (replica.keys ?? 0) > 0);
    const parts = [
      `Dead master ${nodeId} (slots ${slots}) has no address: another server${occupantId === undefined ? '' : ` (node id ${occupantId})`} answers at ${where}, ` +
        `so Redis flags ${nodeId} noaddr, never fails it over, and its replicas resync from that server. replaceNode would wait for a promotion that never comes.`,
      `Stop the server at ${where} first, so no replica resyncs from it.`,
      ...emptied.map((replica) => `Do not fail over to ${replica.address} (${replica.id}): it resynced from that server and holds ${replica.keys ?? 'no'} key(s).`),
      `Then restart ${nodeId} at ${where} from its own data files and nodes.conf (or restore them from a backup): it rejoins with its id and keys, its replicas resync from it, and replaceNode is not needed.`,
      ...intact.map(
        (replica) =>
          `Replica ${replica.address} (${replica.id}) did not resync and still holds ${replica.keys} key(s): only if ${nodeId}'s data is lost for good, ` +
          `promote it with failover.failover("${replica.id}", { mode: 'force' }) after stopping that server, then call replaceNode again.`,
      ),
    ];
    super('ERR_DEAD_NODE_ADDRESS_TAKEN', parts.join(' '), { details: { nodeId, address, occupantId, slots, replicas } });
    this.nodeId = nodeId;
    this.replicas = replicas;
  }
}
