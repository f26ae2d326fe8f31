import { InvalidArgumentError } from '../errors';
import type { ClusterState } from '../model/cluster-state';
import type { SlotSet } from '../model/slot-set';
import { buildMigrationPlan, requireMaster, type MigrationPlan } from './migration-plan';

export interface DrainOptions {
  /** Masters to receive the slots; default every other healthy master. */
  to?: readonly string[];
}

/**
 * Pure: moves every slot of `nodeId` to other masters, filling the emptiest first so the
 * receivers end as even as possible (water-filling), then the master can be removed.
 */
export function planDrain(state: ClusterState, nodeId: string, options: DrainOptions = {}): MigrationPlan {
  const source = requireMaster(state, nodeId, 'nodeId');
  const receivers = (options.to ?? state.masters.filter((m) => m.id !== source.id && !m.failed).map((m) => m.id)).map((id, i) =>
    requireMaster(state, id, `to[${i}]`),
  );
  if (receivers.some((r) => r.id === source.id)) throw new InvalidArgumentError('to', source.id, 'the drained master is also a receiver', 'Leave it out of to.');
  if (receivers.length === 0) throw new InvalidArgumentError('to', options.to, 'no other master to receive the slots', 'Add a master first (addNode) or name receivers.');
  if (source.slots.isEmpty) return buildMigrationPlan('drain', state, [], [`${source.address} owns no slots: nothing to drain`]);

  const counts = receivers.map((r) => r.slots.size);
  const gives = receivers.map(() => 0);
  for (let slot = 0; slot < source.slots.size; slot++) {
    let best = 0;
    for (let i = 1; i < receivers.length; i++) {
      if ((counts[i] as number) < (counts[best] as number)) best = i;
    }
    counts[best] = (counts[best] as number) + 1;
    gives[best] = (gives[best] as number) + 1;
  }
  let rest: SlotSet = source.slots;
  const moves = receivers.map((receiver, i) => {
    const slots = rest.take(gives[i] as number);
    rest = rest.subtract(slots);
    return { from: source.id, to: receiver.id, slots };
  });
  return buildMigrationPlan('drain', state, moves);
}
