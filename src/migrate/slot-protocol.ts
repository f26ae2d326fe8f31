import { CommandFailedError } from '../errors';
import type { NodeClient } from '../net/node-client';

/** The nodes one slot move talks to. */
export interface SlotParties {
  fromId: string;
  toId: string;
  source: NodeClient;
  target: NodeClient;
  /** Every other reachable master: told the new owner so clients get MOVED promptly. */
  others: NodeClient[];
}

/**
 * Opens slots for moving: IMPORTING on the target first, then MIGRATING on the source (the
 * order redis-cli uses, so no key is ever refused by both). Many slots go out at once: ioredis
 * writes concurrent calls back to back on one connection, so N slots cost about one round trip.
 */
export async function openSlots(parties: SlotParties, slots: readonly number[]): Promise<void> {
  await Promise.all(slots.map((slot) => tolerate(parties.target.setSlot(slot, 'IMPORTING', parties.fromId), 'already the owner')));
  await Promise.all(slots.map((slot) => parties.source.setSlot(slot, 'MIGRATING', parties.toId)));
}

/**
 * Gives slots to the target everywhere: the target first (it takes ownership and bumps its epoch),
 * then the source (clears MIGRATING), then every other master.
 */
export async function assignSlots(parties: SlotParties, slots: readonly number[]): Promise<void> {
  await Promise.all(slots.map((slot) => parties.target.setSlot(slot, 'NODE', parties.toId)));
  // A master that gave away its last slot may already have turned into a replica of the new owner
  // (cluster-allow-replica-migration): it learnt the new owner then, so its refusal is fine.
  await Promise.all(slots.map((slot) => tolerate(parties.source.setSlot(slot, 'NODE', parties.toId), 'only with masters')));
  await Promise.all(parties.others.flatMap((node) => slots.map((slot) => tolerate(node.setSlot(slot, 'NODE', parties.toId), 'I still hold keys', 'only with masters'))));
}

/** Keys each slot holds on a node (all asked at once). */
export async function countKeys(node: NodeClient, slots: readonly number[]): Promise<number[]> {
  return Promise.all(slots.map((slot) => node.countKeysInSlot(slot)));
}

/** Runs `work` over items with at most `limit` in flight; stops starting new ones after a failure. */
export async function runLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (error) {
        if (!failed) {
          failed = true;
          failure = error;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failed) throw failure;
}

/** Ignores a server error whose reply contains one of `texts` (a step already done, or moot). */
async function tolerate(step: Promise<void>, ...texts: string[]): Promise<void> {
  try {
    await step;
  } catch (error) {
    if (!(error instanceof CommandFailedError && texts.some((text) => error.reply.includes(text)))) throw error;
  }
}
