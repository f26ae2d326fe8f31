import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterTopology, LocalCluster, type ClusterState, type NodeTimeoutRestoredEvent } from '../../src/index';
import { NodeTimeoutRestoreError } from '../../src/index';
import { pollUntil } from '../../src/util/poll';
import { startTestCluster, stopTestCluster } from '../helpers/test-cluster';

const NODE_TIMEOUT = 5000;

/** Runs replicate() with fastGossip in a child process and SIGKILLs it while the replica's timeout is lowered. */
async function crashWhileLowered(local: LocalCluster, replicaId: string, masterId: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/faults/fixtures/fast-gossip-child.ts', JSON.stringify(local.seeds), replicaId, masterId], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  try {
    const seen = await pollUntil(async () => ({ done: output.includes('lowered') || output.includes('finished') }), { timeoutMs: 30_000, operation: 'test' });
    expect(seen.done && output.includes('lowered')).toBe(true);
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
}

describe('a process killed while fastGossip has lowered a node timeout', () => {
  let local: LocalCluster;
  let topology: ClusterTopology;

  beforeAll(async () => {
    ({ local, topology } = await startTestCluster({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: NODE_TIMEOUT }));
  });
  afterAll(() => stopTestCluster({ local, topology }));

  const pair = (state: ClusterState): { replica: ClusterState['nodes'][number]; other: ClusterState['nodes'][number] } => {
    const replica = state.replicas[0]!;
    return { replica, other: state.slotOwners.find((m) => m.id !== replica.masterId)! };
  };
  const timeoutOf = async (address: string): Promise<number> => Number((await topology.pool.get(address).configGet('cluster-node-timeout'))['cluster-node-timeout']);

  it('check() reports the node left at 500 ms, and fix() restores the value the other nodes have', async () => {
    const { replica, other } = pair(await topology.refresh());
    await crashWhileLowered(local, replica.id, other.id);
    expect(await timeoutOf(replica.address)).toBe(500);

    const report = await topology.check();
    expect(report.ok).toBe(false);
    expect(report.problems).toContainEqual(expect.objectContaining({ code: 'node-timeout-differs', severity: 'error', nodeId: replica.id, address: replica.address }));

    const fixed = await topology.fix();
    expect(fixed.restoredNodeTimeouts).toEqual([{ nodeId: replica.id, address: replica.address, fromMs: 500, toMs: NODE_TIMEOUT }]);
    expect(await timeoutOf(replica.address)).toBe(NODE_TIMEOUT);
    expect((await topology.check()).problems.filter((p) => p.code === 'node-timeout-differs')).toEqual([]);
  });

  it('the next operation restores it before doing its own work', async () => {
    const { replica, other } = pair(await topology.refresh());
    await crashWhileLowered(local, replica.id, other.id);
    expect(await timeoutOf(replica.address)).toBe(500);

    const restored: NodeTimeoutRestoredEvent[] = [];
    topology.on('node-timeout-restored', (event) => restored.push(event));
    const moved = await topology.replicate(replica.id, other.id);
    topology.removeAllListeners('node-timeout-restored');

    expect(moved.changed).toBe(true);
    expect(restored).toEqual([{ nodeId: replica.id, address: replica.address, fromMs: 500, toMs: NODE_TIMEOUT }]);
    expect(await timeoutOf(replica.address)).toBe(NODE_TIMEOUT);
    expect((await topology.check()).ok).toBe(true);
  });

  it('a restore that fails is not swallowed: the operation says so, and the node is restored later', async () => {
    const { replica, other } = pair(await topology.refresh());
    // Refuse every CONFIG SET that would raise the timeout again (the restore), on this topology only.
    const remove = topology.pool.commandHooks.add((_node, commands) => {
      for (const args of commands) {
        if (String(args[0]).toUpperCase() === 'CONFIG' && String(args[1]).toUpperCase() === 'SET' && String(args[3]) !== '500') throw new Error('injected: CONFIG SET refused');
      }
    });
    let error: unknown;
    try {
      error = await topology.replicate(replica.id, other.id).catch((e: unknown) => e);
    } finally {
      remove();
    }
    expect(error).toBeInstanceOf(NodeTimeoutRestoreError);
    expect((error as NodeTimeoutRestoreError).message).toMatch(/operation completed, but restoring cluster-node-timeout 5000/);
    expect((await topology.refresh()).requireNode(replica.id).masterId).toBe(other.id);
    expect(await timeoutOf(replica.address)).toBe(500);
    expect((await topology.fix()).restoredNodeTimeouts).toHaveLength(1);
    expect(await timeoutOf(replica.address)).toBe(NODE_TIMEOUT);
  });
});
