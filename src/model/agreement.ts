import { SLOT_COUNT } from './key-slot';
import type { NodeView } from './node-view';

/** Which node owns each slot according to one view (`undefined` = nobody). */
export function slotOwnersOfView(view: NodeView): (string | undefined)[] {
  const owners = new Array<string | undefined>(SLOT_COUNT).fill(undefined);
  for (const node of view.nodes) {
    if (node.role !== 'master') continue;
    for (const [start, end] of node.slots.ranges) {
      for (let slot = start; slot <= end; slot++) owners[slot] = node.id;
    }
  }
  return owners;
}

export interface AgreementOptions {
  /** Also require `cluster_state:ok` in every view. */
  requireStateOk?: boolean;
  /** Ids that must be known (and out of handshake) everywhere, e.g. a node just added. */
  expectNodeIds?: readonly string[];
  /** Ids that must be gone from every view, e.g. a node just forgotten. */
  expectGoneIds?: readonly string[];
  /**
   * Also require that no view flags an answering member `fail` or `fail?` (the strict reading
   * create() and addNode() wait for: a freshly formed cluster where some node still suspects
   * another is not done).
   */
  requireHealthy?: boolean;
}

/**
 * Pure: the reasons the views do not yet agree; empty when they do. Agreement means every view
 * knows the same members (none in handshake), gives each the same role, the same owner for every
 * slot and the same master for every replica. Slot owners are compared as ranges, so the cost
 * grows with the nodes' replies, not with nodes x 16384.
 */
export function findDisagreements(views: readonly NodeView[], options: AgreementOptions = {}): string[] {
  const problems: string[] = [];
  if (views.length === 0) return ['no node could be queried'];

  const memberSets = views.map((view) => new Set(view.nodes.filter((n) => !n.handshake).map((n) => n.id)));
  const allMembers = new Set<string>();
  for (const set of memberSets) for (const id of set) allMembers.add(id);
  for (const id of options.expectNodeIds ?? []) allMembers.add(id);

  const answering = new Set(views.map((view) => view.nodeId));
  views.forEach((view, index) => {
    const members = memberSets[index] as Set<string>;
    for (const node of view.nodes) {
      if (node.handshake) problems.push(`${view.address} is still in handshake with ${node.address}`);
    }
    const missing = [...allMembers].filter((id) => !members.has(id));
    if (missing.length > 0) problems.push(`${view.address} does not know ${missing.map(shortId).join(', ')}`);
    for (const gone of options.expectGoneIds ?? []) {
      if (view.nodes.some((node) => node.id === gone)) problems.push(`${view.address} still lists ${shortId(gone)}`);
    }
    if (options.requireHealthy === true) {
      for (const node of view.nodes) {
        if ((node.failed || node.suspected) && answering.has(node.id)) {
          problems.push(`${view.address} flags ${shortId(node.id)} ${node.failed ? 'fail' : 'fail?'}`);
        }
      }
    }
    if (options.requireStateOk === true && view.clusterInfo['cluster_state'] !== 'ok') {
      problems.push(`${view.address} reports cluster_state:${view.clusterInfo['cluster_state'] ?? 'unknown'}`);
    }
  });

  const reference = views[0] as NodeView;
  const referenceSignature = ownerSignature(reference);
  const referenceRoles = roles(reference);
  const referenceMasters = replicaMasters(reference);
  for (const view of views.slice(1)) {
    for (const [id, role] of roles(view)) {
      const other = referenceRoles.get(id);
      if (other !== undefined && other !== role) problems.push(`${view.address} sees ${shortId(id)} as ${role}, ${reference.address} as ${other}`);
    }
    const difference = ownerSignature(view) === referenceSignature ? undefined : ownerDifference(view, reference);
    if (difference !== undefined) problems.push(difference);
    const masters = replicaMasters(view);
    for (const [replica, master] of masters) {
      const other = referenceMasters.get(replica);
      if (other !== undefined && other !== master) {
        problems.push(`${view.address} says ${shortId(replica)} replicates ${shortId(master)}, ${reference.address} says ${shortId(other)}`);
      }
    }
  }
  return problems;
}

/** The slot table of a view as one string of sorted ranges: equal strings, equal tables. */
function ownerSignature(view: NodeView): string {
  const ranges: [number, number, string][] = [];
  for (const node of view.nodes) {
    if (node.role !== 'master') continue;
    for (const [start, end] of node.slots.ranges) ranges.push([start, end, node.id]);
  }
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : 1));
  return ranges.map(([start, end, id]) => `${start}-${end}:${id}`).join(',');
}

/** Only for views whose signatures differ: how many slots, and one example (undefined: same owners). */
function ownerDifference(view: NodeView, reference: NodeView): string | undefined {
  const referenceOwners = slotOwnersOfView(reference);
  const owners = slotOwnersOfView(view);
  let differing = 0;
  let example = -1;
  for (let slot = 0; slot < SLOT_COUNT; slot++) {
    if (owners[slot] !== referenceOwners[slot]) {
      differing++;
      if (example < 0) example = slot;
    }
  }
  if (differing === 0) return undefined;
  return (
    `${view.address} and ${reference.address} disagree on the owner of ${differing} slot(s), e.g. slot ${example}: ` +
    `${shortId(owners[example])} vs ${shortId(referenceOwners[example])}`
  );
}

function roles(view: NodeView): Map<string, 'master' | 'replica'> {
  const result = new Map<string, 'master' | 'replica'>();
  for (const node of view.nodes) if (!node.handshake && !node.flags.includes('noaddr')) result.set(node.id, node.role);
  return result;
}

function replicaMasters(view: NodeView): Map<string, string> {
  const result = new Map<string, string>();
  for (const node of view.nodes) {
    if (node.role === 'replica' && node.masterId !== undefined) result.set(node.id, node.masterId);
  }
  return result;
}

export function shortId(id: string | undefined): string {
  return id === undefined ? 'nobody' : id.slice(0, 8);
}
