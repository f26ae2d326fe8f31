/** A node to place, labelled with the host it runs on. */
export interface PlacementNode {
  address: string;
  host: string;
}

export interface HostGroup<T extends PlacementNode> {
  host: string;
  nodes: T[];
}

/** Groups nodes by host, hosts ordered by node count (most first), then by first appearance. */
export function groupByHost<T extends PlacementNode>(nodes: readonly T[]): HostGroup<T>[] {
  const groups: HostGroup<T>[] = [];
  for (const node of nodes) {
    let group = groups.find((g) => g.host === node.host);
    if (group === undefined) {
      group = { host: node.host, nodes: [] };
      groups.push(group);
    }
    group.nodes.push(node);
  }
  return groups
    .map((group, index) => ({ group, index }))
    .sort((a, b) => b.group.nodes.length - a.group.nodes.length || a.index - b.index)
    .map(({ group }) => group);
}

/**
 * Pure: gives each master `perMaster` replicas from `candidates`, never from the master's own
 * host when any assignment allows it (a maximum bipartite matching over replica seats), then
 * hands leftover candidates to the masters with the fewest replicas, other hosts first.
 * Deterministic: same input order, same result.
 */
export function assignReplicas<M extends PlacementNode, R extends PlacementNode>(
  masters: readonly M[],
  candidates: readonly R[],
  perMaster: number,
): { replica: R; master: M }[] {
  const seats: M[] = [];
  for (let round = 0; round < perMaster; round++) seats.push(...masters);

  // Kuhn's augmenting paths: candidate -> seat on another host.
  const seatOwner = new Array<number>(seats.length).fill(-1);
  const tryCandidate = (candidate: number, visited: boolean[]): boolean => {
    const host = (candidates[candidate] as R).host;
    for (let seat = 0; seat < seats.length; seat++) {
      if (visited[seat] === true || (seats[seat] as M).host === host) continue;
      visited[seat] = true;
      const owner = seatOwner[seat] as number;
      if (owner < 0 || tryCandidate(owner, visited)) {
        seatOwner[seat] = candidate;
        return true;
      }
    }
    return false;
  };
  for (let candidate = 0; candidate < candidates.length; candidate++) {
    tryCandidate(candidate, new Array<boolean>(seats.length).fill(false));
  }

  const placed = new Set<number>(seatOwner.filter((owner) => owner >= 0));
  // Seats left empty take any unplaced candidate (same host: unavoidable).
  for (let seat = 0; seat < seats.length; seat++) {
    if ((seatOwner[seat] as number) >= 0) continue;
    const candidate = candidates.findIndex((_, index) => !placed.has(index));
    if (candidate < 0) break;
    seatOwner[seat] = candidate;
    placed.add(candidate);
  }

  const result: { replica: R; master: M }[] = [];
  seatOwner.forEach((owner, seat) => {
    if (owner >= 0) result.push({ replica: candidates[owner] as R, master: seats[seat] as M });
  });

  // Extra candidates: to the master with the fewest replicas, preferring another host.
  candidates.forEach((candidate, index) => {
    if (placed.has(index)) return;
    const counts = masters.map((master) => result.filter((pair) => pair.master === master).length);
    let best = -1;
    masters.forEach((master, m) => {
      if (best < 0) {
        best = m;
        return;
      }
      const better = rank(master, candidate, counts[m] as number) < rank(masters[best] as M, candidate, counts[best] as number);
      if (better) best = m;
    });
    if (best >= 0) result.push({ replica: candidate, master: masters[best] as M });
  });
  return result;
}

function rank(master: PlacementNode, candidate: PlacementNode, replicaCount: number): number {
  return (master.host === candidate.host ? 1_000_000 : 0) + replicaCount;
}
