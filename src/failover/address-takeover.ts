import type { ClusterNode, ClusterState } from '../model/cluster-state';
import type { TopologyContext } from '../topology/topology-context';
import { DeadNodeAddressTakenError, type TakenOverReplica } from './errors';

/**
 * Read-only: refuses replaceNode of a dead master that still serves slots when its address is
 * taken by another server: some node flags its id `noaddr` (a server with another id answered at
 * its address), or that address answers with another id now. Redis never fails such a master
 * over and its replicas resync from the newcomer, so waiting for a promotion is pointless and
 * forcing one would crown a replica that may hold nothing. The error says what each replica holds.
 */
export async function assertAddressNotTaken(context: TopologyContext, state: ClusterState, dead: ClusterNode): Promise<void> {
  if (dead.role !== 'master' || dead.slots.size === 0) return;
  const noaddr = state.views.some((view) => view.nodes.some((line) => line.id === dead.id && line.flags.includes('noaddr')));
  const replicas = await Promise.all(state.replicasOf(dead.id).map((replica) => inspectReplica(context, replica)));
  // A noaddr node has lost its address in CLUSTER NODES; its replicas still dial it.
  const address = dead.host !== '' && dead.port > 0 ? dead.address : replicas.find((replica) => replica.masterAddress !== undefined)?.masterAddress;
  let occupantId: string | undefined;
  if (address !== undefined && !state.unreachable.some((entry) => entry.address === address)) {
    occupantId = await context.pool
      .get(address)
      .myId()
      .catch(() => undefined);
  }
  const taken = noaddr || (occupantId !== undefined && occupantId !== dead.id);
  if (!taken) return;
  throw new DeadNodeAddressTakenError(
    dead.id,
    address,
    occupantId === dead.id ? undefined : occupantId,
    dead.slots.toString(),
    replicas.map(({ masterAddress: _masterAddress, ...replica }) => replica),
  );
}

async function inspectReplica(context: TopologyContext, replica: ClusterNode): Promise<TakenOverReplica & { masterAddress: string | undefined }> {
  const client = context.pool.get(replica.address);
  const [info, keys] = await Promise.all([client.info('replication').catch(() => undefined), client.dbsize().catch(() => undefined)]);
  const linkStatus = info?.['master_link_status'];
  const host = info?.['master_host'];
  const port = info?.['master_port'];
  return {
    id: replica.id,
    address: replica.address,
    keys,
    linkStatus,
    resyncedFromOccupant: linkStatus === 'up',
    masterAddress: host === undefined || port === undefined ? undefined : host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`,
  };
}
