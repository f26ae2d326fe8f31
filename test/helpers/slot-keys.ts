import type { Cluster } from 'ioredis';
import { keySlot } from '../../src/index';
import { startTestCluster, type TestCluster } from './test-cluster';

/**
 * Writes `perSlot` keys `{tag}:k` into each of `count` slots that `owned` has (one hash tag per slot, tags
 * `${prefix}0`, `${prefix}1`... in order). Returns the slots, ascending, and each slot's tag.
 */
export async function fillSlots(
  client: Cluster,
  owned: { has(slot: number): boolean },
  options: { count: number; perSlot: number; prefix: string; value?: string },
): Promise<{ slots: number[]; tags: Map<number, string> }> {
  const tags = new Map<number, string>();
  for (let i = 0; tags.size < options.count; i++) {
    const tag = `${options.prefix}${i}`;
    const slot = keySlot(tag);
    if (!owned.has(slot) || tags.has(slot)) continue;
    tags.set(slot, tag);
    const pipeline = client.pipeline();
    for (let k = 0; k < options.perSlot; k++) pipeline.set(`{${tag}}:${k}`, options.value ?? `value-${tag}-${k}`);
    await pipeline.exec();
  }
  return { slots: [...tags.keys()].sort((a, b) => a - b), tags };
}

/** A test cluster whose first master holds keys in `count` slots, and the pair to move them between. */
export interface FilledPair extends TestCluster {
  slots: number[];
  from: string;
  to: string;
}

/** Starts 3 masters without replicas and fills `count` slots of the first (see fillSlots). */
export async function startFilledPair(fill: { count: number; perSlot: number; prefix: string; value?: string }): Promise<FilledPair> {
  const cluster = await startTestCluster({ masters: 3, replicasPerMaster: 0 });
  const state = await cluster.topology.refresh();
  const [from, to] = state.masters as [(typeof state.masters)[number], (typeof state.masters)[number]];
  const { slots } = await fillSlots(cluster.client, from.slots, fill);
  return { ...cluster, slots, from: from.id, to: to.id };
}
