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
