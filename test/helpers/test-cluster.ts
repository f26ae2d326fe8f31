import type { Cluster, ClusterOptions } from 'ioredis';
import { LocalCluster, type ClusterTopology, type LocalClusterOptions } from '../../src/index';

/** A LocalCluster with a ClusterTopology and an ioredis Cluster client over it. */
export interface TestCluster {
  local: LocalCluster;
  topology: ClusterTopology;
  client: Cluster;
}

/** Starts a LocalCluster, then a topology and a client over it; stopTestCluster() ends all three. */
export async function startTestCluster(options: LocalClusterOptions, extra: { convergenceTimeoutMs?: number; client?: ClusterOptions } = {}): Promise<TestCluster> {
  const local = await LocalCluster.start(options);
  return {
    local,
    topology: local.topology(extra.convergenceTimeoutMs === undefined ? {} : { convergenceTimeoutMs: extra.convergenceTimeoutMs }),
    client: local.client(extra.client),
  };
}

/** Disconnects the client, closes the topology and stops every redis-server; fine on a cluster that never started. */
export async function stopTestCluster(cluster: Partial<TestCluster>): Promise<void> {
  cluster.client?.disconnect();
  await cluster.topology?.close();
  await cluster.local?.stop();
}
