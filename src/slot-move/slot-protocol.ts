import { CommandFailedError } from '../errors';
import { parseClusterNodes } from '../model/cluster-nodes-parser';
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
 * openSlots() and countKeys() on the source in one go: the source gets MIGRATING and COUNTKEYSINSLOT for
 * every slot in one pipeline (counted once open, since from then on no key can appear there: a write to
 * a missing key is sent to the target with ASK). Resolves to the key counts, in the order of `slots`.
 */
export async function openAndCount(parties: SlotParties, slots: readonly number[]): Promise<number[]> {
  if (slots.length === 0) return [];
  await setSlots(parties.target, slots, 'IMPORTING', parties.fromId, ['already the owner']);
  const replies = await parties.source.pipeline([
    ...slots.map((slot) => ['CLUSTER', 'SETSLOT', slot, 'MIGRATING', parties.toId]),
    ...slots.map((slot) => ['CLUSTER', 'COUNTKEYSINSLOT', slot]),
  ]);
  throwFirst(replies.slice(0, slots.length));
  return replies.slice(slots.length).map((reply) => {
    if (reply instanceof Error) throw reply;
    return Number(reply);
  });
}

/** The MIGRATING / IMPORTING marks a node holds itself (the `myself` line of its CLUSTER NODES). */
export interface NodeMarks {
  /** slot -> the id of the node it is migrating to. */
  migrating: Map<number, string>;
  /** slot -> the id of the node it is importing from. */
  importing: Map<number, string>;
}

export async function readMarks(node: NodeClient, timeoutMs?: number): Promise<NodeMarks> {
  return marksOf(await node.call(['CLUSTER', 'NODES'], timeoutMs === undefined ? {} : { timeoutMs }));
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
export async function assignSlots(parties: SlotParties, slots: readonly number[]): Promise<void>;
/**
 * With `readBack`, the target's and the source's pipelines end with CLUSTER NODES, and the marks each holds
 * right after the assignment come back: the check before the next round, without a round trip of its own.
 */
export async function assignSlots(parties: SlotParties, slots: readonly number[], readBack: true): Promise<{ source: NodeMarks; target: NodeMarks }>;
export async function assignSlots(parties: SlotParties, slots: readonly number[], readBack = false): Promise<void | { source: NodeMarks; target: NodeMarks }> {
  if (slots.length === 0) {
    if (!readBack) return undefined;
    const [source, target] = await Promise.all([readMarks(parties.source), readMarks(parties.target)]);
    return { source, target };
  }
  const [first, ...rest] = slots as [number, ...number[]];
  const last = rest.pop();
  const replicated = (await parties.target.capabilitiesIfKnown())?.replicatesSetSlot === true;
  const commands: CommandArg[][] = [['CLUSTER', 'SETSLOT', first, 'NODE', parties.toId]];
  for (const slot of rest) {
    if (!replicated) commands.push(['CLUSTER', 'SETSLOT', slot, 'STABLE']);
    commands.push(['CLUSTER', 'SETSLOT', slot, 'NODE', parties.toId]);
  }
  if (last !== undefined) commands.push(['CLUSTER', 'SETSLOT', last, 'NODE', parties.toId]);
  if (readBack) commands.push(['CLUSTER', 'NODES']);
  const onTarget = await setSlotPipeline(parties.target, commands);
  throwFirst(onTarget);
  const sourceCommands: CommandArg[][] = slots.map((slot) => ['CLUSTER', 'SETSLOT', slot, 'NODE', parties.toId]);
  if (readBack) sourceCommands.push(['CLUSTER', 'NODES']);
  const [onSource] = await Promise.all([
    // A master that gave away its last slot may already have turned into a replica of the new owner
    // (cluster-allow-replica-migration): it learnt the new owner then, so its refusal is fine.
    setSlotPipeline(parties.source, sourceCommands),
    ...parties.others.map((node) => setSlots(node, slots, 'NODE', parties.toId, ['I still hold keys', 'only with masters'])),
  ]);
  throwFirst(onSource, ['only with masters']);
  if (!readBack) return undefined;
  return { source: marksOf(onSource[onSource.length - 1]), target: marksOf(onTarget[onTarget.length - 1]) };
}

function marksOf(reply: unknown): NodeMarks {
  if (reply instanceof Error) throw reply;
  const me = parseClusterNodes(String(reply)).find((info) => info.myself);
  return {
    migrating: new Map((me?.migrating ?? []).map((mark) => [mark.slot, mark.nodeId])),
    importing: new Map((me?.importing ?? []).map((mark) => [mark.slot, mark.nodeId])),
  };
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
