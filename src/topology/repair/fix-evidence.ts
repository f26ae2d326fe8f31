import type { ClusterState } from '../../model/cluster-state';
import { SLOT_COUNT } from '../../model/key-slot';
import type { NodePool } from '../../net/node-pool';
import { contestedSlots, liveMasters, type FixEvidence } from '../../plan/fix-facts';

const CHUNK = 4096;

/**
 * Asks every live master how many keys it holds (CLUSTER COUNTKEYSINSLOT, pipelined) in each slot
 * it does not claim, and in every contested slot (open, claimed by several or by none, mapped
 * differently): what planFix() needs to find every key, wherever a crash left it.
 */
export async function gatherFixEvidence(pool: NodePool, state: ClusterState): Promise<FixEvidence> {
  const contested = contestedSlots(state);
  const keys: FixEvidence['keys'] = {};
  await Promise.all(
    liveMasters(state).map(async (master) => {
      const slots: number[] = [];
      for (let slot = 0; slot < SLOT_COUNT; slot++) if (!master.slots.has(slot)) slots.push(slot);
      for (const slot of contested) if (master.slots.has(slot)) slots.push(slot);
      const client = pool.get(master.address);
      const counts: Record<string, number> = {};
      for (let i = 0; i < slots.length; i += CHUNK) {
        const chunk = slots.slice(i, i + CHUNK);
        const replies = await client.pipeline(chunk.map((slot) => ['CLUSTER', 'COUNTKEYSINSLOT', slot]));
        replies.forEach((reply, j) => {
          if (reply instanceof Error) throw reply;
          if (Number(reply) > 0) counts[String(chunk[j])] = Number(reply);
        });
      }
      keys[master.id] = counts;
    }),
  );
  return { keys };
}
