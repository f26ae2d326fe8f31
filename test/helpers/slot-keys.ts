import type { Cluster } from 'ioredis';
import { keySlot } from '../../src/index';

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
