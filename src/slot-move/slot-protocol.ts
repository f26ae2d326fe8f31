import { CommandFailedError } from '../errors';
import type { CommandArg, NodeClient, SetSlotState } from '../net/node-client';

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
  await setSlots(parties.target, slots, 'IMPORTING', parties.fromId, ['already the owner']);
  await setSlots(parties.source, slots, 'MIGRATING', parties.toId);
}

/**
 * Gives slots to the target everywhere: the target first, then the source (clears MIGRATING) and
 * every other master side by side.
 *
 * On the target, `SETSLOT NODE` for an IMPORTING slot bumps its config epoch and broadcasts a PONG
 * to the whole cluster: once per slot, that is most of a round's cost. So only the first and the
 * last slot of a round take that path; the ones between are closed (`STABLE`) and taken (`NODE`)
 * quietly.
 * - The first one raises the target's config epoch above every other node's before any slot loses
 *   its IMPORTING mark. A slot taken quietly is then safe from the source's gossip: until the source
 *   hears its own SETSLOT NODE it still claims the slot, and a claim with a higher epoch than the
 *   target's would win the slot back on the target (an IMPORTING slot ignores such claims, a stable
 *   one does not). Redis runs a pipeline in one event-loop pass, so the window is small there; Valkey
 *   8 replicates each SETSLOT to the target's replicas and waits for their ack before applying it,
 *   so gossip runs between the commands and the source won slots back, leaving the target without
 *   slots everyone else gave it (views that never agree).
 * - The last one's broadcast carries the whole round (a PONG lists all the sender's slots).
 * On a server that replicates SETSLOT (Valkey 8), every slot takes the IMPORTING path: each command
 * costs a round trip to the replicas there, so one command per slot beats two (only the first
 * bumps the epoch; the rest find it already the highest).
 */
export async function assignSlots(parties: SlotParties, slots: readonly number[]): Promise<void> {
  if (slots.length === 0) return;
  const [first, ...rest] = slots as [number, ...number[]];
  const last = rest.pop();
  const replicated = (await parties.target.capabilitiesIfKnown())?.replicatesSetSlot === true;
  const commands: CommandArg[][] = [['CLUSTER', 'SETSLOT', first, 'NODE', parties.toId]];
  for (const slot of rest) {
    if (!replicated) commands.push(['CLUSTER', 'SETSLOT', slot, 'STABLE']);
    commands.push(['CLUSTER', 'SETSLOT', slot, 'NODE', parties.toId]);
  }
  if (last !== undefined) commands.push(['CLUSTER', 'SETSLOT', last, 'NODE', parties.toId]);
  throwFirst(await setSlotPipeline(parties.target, commands));
  await Promise.all([
    // A master that gave away its last slot may already have turned into a replica of the new owner
    // (cluster-allow-replica-migration): it learnt the new owner then, so its refusal is fine.
    setSlots(parties.source, slots, 'NODE', parties.toId, ['only with masters']),
    ...parties.others.map((node) => setSlots(node, slots, 'NODE', parties.toId, ['I still hold keys', 'only with masters'])),
  ]);
}

function throwFirst(replies: readonly unknown[], tolerated: readonly string[] = []): void {
  for (const reply of replies) {
    if (reply instanceof CommandFailedError && tolerated.some((text) => reply.reply.includes(text))) continue;
    if (reply instanceof Error) throw reply;
  }
}

/** Keys each slot holds on a node (one pipeline). */
export async function countKeys(node: NodeClient, slots: readonly number[]): Promise<number[]> {
  const replies = await node.pipeline(slots.map((slot) => ['CLUSTER', 'COUNTKEYSINSLOT', slot]));
  return replies.map((reply) => {
    if (reply instanceof Error) throw reply;
    return Number(reply);
  });
}

/** CLUSTER SETSLOT for many slots in one pipeline; a reply containing one of `tolerated` counts as done. */
async function setSlots(node: NodeClient, slots: readonly number[], state: SetSlotState, nodeId: string, tolerated: readonly string[] = []): Promise<void> {
  if (slots.length === 0) return;
  throwFirst(await setSlotPipeline(node, slots.map((slot) => ['CLUSTER', 'SETSLOT', slot, state, nodeId])), tolerated);
}

/**
 * Valkey 8 applies a SETSLOT on a master with replicas only once they acked it (a replication round
 * trip per command, longer on a busy host): its pipelines get time per command, not one command's.
 */
const REPLICATED_SETSLOT_MS = 100;

async function setSlotPipeline(node: NodeClient, commands: readonly (readonly CommandArg[])[]): Promise<unknown[]> {
  const replicated = (await node.capabilitiesIfKnown())?.replicatesSetSlot === true;
  return node.pipeline(commands, replicated ? { timeoutMs: node.commandTimeoutMs + commands.length * REPLICATED_SETSLOT_MS } : {});
}
