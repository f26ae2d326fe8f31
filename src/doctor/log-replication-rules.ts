import { summarize, type LogRuleContext } from './log-context';
import type { LogEntry } from './log-line';

/** Pure: replication, failover and cluster-state symptoms in one node's log (sections 7, 13, 17, 24.3, 24.4, 24.7). */
export function replicationLogRules(context: LogRuleContext): void {
  const { thresholds } = context;
  const backlog = context.burst(context.matching(/for lack of backlog/), { count: 2, minutes: thresholds.fullSyncs.minutes });
  if (backlog !== undefined) context.addBurst('lack-of-backlog', 'warning', 'partial resyncs refused "for lack of backlog"', backlog);
  const overrun = context.matching(/scheduled to be closed ASAP for overcoming of output buffer limits/);
  if (overrun.length > 0) context.add('output-buffer-overrun', 'warning', summarize(overrun), overrun);

  // Master side: full resyncs of the same replica within the window (asked for, or forced by a
  // missing backlog); a replica's first sync, or one after a restart, is normal.
  const byReplica = new Map<string, LogEntry[]>();
  for (const entry of context.matching(/Full resync requested by replica (\S+)|Unable to partial resync with replica (\S+) for lack of backlog/)) {
    const match = /replica (\S+)/.exec(entry.message);
    const replica = match?.[1] as string;
    byReplica.set(replica, [...(byReplica.get(replica) ?? []), entry]);
  }
  for (const [replica, entries] of byReplica) {
    const burst = context.burst(entries, thresholds.fullSyncs);
    if (burst !== undefined) context.addBurst('replication-loop', 'error', `full resyncs of replica ${replica}`, burst);
  }
  // Replica side: this node kept loading a full copy from its master.
  const fromMaster = context.burst(context.matching(/Full resync from (master|primary): /), thresholds.fullSyncs);
  if (fromMaster !== undefined) context.addBurst('replication-loop', 'error', 'full resyncs from the master', fromMaster);

  const timeouts = context.matching(/Timeout receiving bulk data from (MASTER|PRIMARY)|(MASTER|PRIMARY) timeout: no data nor PING received/);
  if (timeouts.length > 0) context.add('replica-sync-timeout', 'warning', summarize(timeouts), timeouts);
  const lost = context.burst(
    context.matching(/Connection with (master|primary) lost|Connection with replica \S+ lost|Connection reset by peer|Error condition on socket for SYNC: /),
    thresholds.connectionLost,
  );
  if (lost !== undefined) context.addBurst('connection-lost', 'warning', 'lost or reset replication links', lost);

  const votes = context.burst(context.matching(/Failover auth granted to/), thresholds.failoverVotes);
  if (votes !== undefined) context.addBurst('failover-auth-repeated', 'warning', '"Failover auth granted to"', votes);
  const denied = context.matching(/Failover auth denied to .*can't vote about this (master|primary)/);
  if (denied.length > 0) context.add('failover-blocked', 'warning', summarize(denied), denied);
  const expired = context.matching(/Currently unable to failover: Disconnected from (master|primary) for longer than allowed/);
  if (expired.length > 0) context.add('failover-blocked', 'warning', summarize(expired), expired);
  const stalls = context.burst(context.matching(/Currently unable to failover: (Waiting for votes|Failover attempt expired|Waiting the delay)/), thresholds.failoverStalls);
  if (stalls !== undefined) context.addBurst('failover-blocked', 'warning', '"Currently unable to failover"', stalls);

  clusterStateRule(context);
}

/** "Cluster state changed: fail" with no later "ok" (CLUSTER INFO decides when the node answers). */
function clusterStateRule(context: LogRuleContext): void {
  const changes = context.matching(/Cluster state changed: (ok|fail)/);
  const fails = changes.filter((entry) => entry.message.endsWith('fail'));
  if (fails.length === 0) return;
  const last = changes[changes.length - 1] as LogEntry;
  const liveState = context.node.clusterInfo?.['cluster_state'];
  if (last.message.endsWith('fail') && liveState !== 'ok') {
    context.add('cluster-down', 'error', `${last.raw.trim()} (no "Cluster state changed: ok" since)`, [last]);
  } else {
    const lastFail = fails[fails.length - 1] as LogEntry;
    const back = changes.find((entry) => entry.index > lastFail.index && entry.message.endsWith('ok'));
    const span = back?.time !== undefined && lastFail.time !== undefined ? `, for ${((back.time - lastFail.time) / 1000).toFixed(1)} s` : '';
    context.add('cluster-down', 'info', `the cluster went down ${fails.length}x; last: ${lastFail.raw.trim()}${back === undefined ? '' : `, back at ${back.stamp ?? '?'}${span}`}`, fails);
  }
}
