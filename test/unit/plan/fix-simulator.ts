import type { ClusterState, FixPlan, FixStep } from '../../../src/index';
import { SLOT_COUNT } from '../../../src/index';

interface SimNode {
  table: (string | undefined)[];
  migrating: Map<number, string>;
  importing: Map<number, string>;
  keys: Map<number, number>;
}

/**
 * Walks a fix plan against a model of the server rules that matter to it, and throws on the first
 * step a real node would refuse: SETSLOT IMPORTING on the owner, MIGRATING on a non-owner, NODE
 * away from myself while holding keys, MIGRATE from a slot that is unbound or not open on the
 * source, or into a node that sees it unbound, or that is MIGRATING it (ASK), or neither owns nor
 * imports it. Returns the end state for assertions.
 */
export function simulate(state: ClusterState, keys: Record<string, Record<string, number>>, plan: FixPlan): Map<string, SimNode> {
  const nodes = new Map<string, SimNode>();
  for (const view of state.views) {
    const self = view.nodes.find((n) => n.myself);
    if (self === undefined || self.role !== 'master') continue;
    const table = new Array<string | undefined>(SLOT_COUNT).fill(undefined);
    for (const node of view.nodes) if (node.role === 'master') for (const slot of node.slots) table[slot] = node.id;
    nodes.set(view.nodeId, {
      table,
      migrating: new Map(self.migrating.map((m) => [m.slot, m.nodeId])),
      importing: new Map(self.importing.map((m) => [m.slot, m.nodeId])),
      keys: new Map(Object.entries(keys[view.nodeId] ?? {}).map(([slot, count]) => [Number(slot), count])),
    });
  }
  const get = (id: string): SimNode => {
    const node = nodes.get(id);
    if (node === undefined) throw new Error(`step on unknown or dead node ${id.slice(0, 4)}`);
    return node;
  };
  const run = (step: FixStep): void => {
    if (step.op === 'bump-epoch') return void get(step.node);
    if (step.op === 'move-keys') {
      const from = get(step.from);
      const to = get(step.to);
      const s = step.slot;
      if (from.table[s] === undefined) throw new Error(`MIGRATE ${s} on ${step.from.slice(0, 4)}: CLUSTERDOWN Hash slot not served`);
      const open = (from.table[s] === step.from && from.migrating.has(s)) || from.importing.has(s);
      if (!open) throw new Error(`MIGRATE ${s} on ${step.from.slice(0, 4)}: slot not open there (MOVED)`);
      if (to.table[s] === undefined) throw new Error(`RESTORE-ASKING ${s} on ${step.to.slice(0, 4)}: CLUSTERDOWN Hash slot not served`);
      if (to.table[s] === step.to && to.migrating.has(s)) throw new Error(`RESTORE-ASKING ${s} on ${step.to.slice(0, 4)}: ASK (owner still MIGRATING)`);
      if (to.table[s] !== step.to && !to.importing.has(s)) throw new Error(`RESTORE-ASKING ${s} on ${step.to.slice(0, 4)}: MOVED`);
      to.keys.set(s, (to.keys.get(s) ?? 0) + (from.keys.get(s) ?? 0));
      from.keys.delete(s);
      return;
    }
    const node = get(step.node);
    const s = step.slot;
    if (step.state === 'STABLE') {
      node.migrating.delete(s);
      node.importing.delete(s);
    } else if (step.state === 'IMPORTING') {
      if (node.table[s] === step.node) throw new Error(`SETSLOT ${s} IMPORTING on ${step.node.slice(0, 4)}: I'm already the owner`);
      node.importing.set(s, step.peer);
    } else if (step.state === 'MIGRATING') {
      if (node.table[s] !== step.node) throw new Error(`SETSLOT ${s} MIGRATING on ${step.node.slice(0, 4)}: I'm not the owner`);
      node.migrating.set(s, step.peer);
    } else {
      if (node.table[s] === step.node && step.peer !== step.node && (node.keys.get(s) ?? 0) > 0) throw new Error(`SETSLOT ${s} NODE on ${step.node.slice(0, 4)}: still hold keys`);
      if (step.peer === step.node) node.importing.delete(s);
      if ((node.keys.get(s) ?? 0) === 0) node.migrating.delete(s);
      node.table[s] = step.peer;
    }
  };
  for (const wave of plan.settle) wave.forEach(run);
  for (const move of plan.moves) move.steps.forEach(run);
  for (const wave of plan.finish) wave.forEach(run);
  return nodes;
}
