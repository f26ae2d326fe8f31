/**
 * A small min-cost max-flow network for the planners' assignment problems (which replica goes
 * to which master, which member of each shard is master). Successive shortest paths with
 * Bellman-Ford, so edge costs may be negative (the graphs the planners build have no negative
 * cycle). Pure and deterministic: edges are relaxed in insertion order, the first shortest path
 * found wins. Sizes here are tens to hundreds of nodes, far below where this gets slow.
 */
export class FlowNetwork {
  private readonly to: number[] = [];
  private readonly capacity: number[] = [];
  private readonly cost: number[] = [];
  private readonly outgoing: number[][];

  constructor(readonly size: number) {
    this.outgoing = Array.from({ length: size }, () => []);
  }

  /** Adds an edge (and its residual twin); returns its index for flowOn(). */
  addEdge(from: number, to: number, capacity: number, cost: number): number {
    const index = this.to.length;
    this.to.push(to, from);
    this.capacity.push(capacity, 0);
    this.cost.push(cost, -cost);
    (this.outgoing[from] as number[]).push(index);
    (this.outgoing[to] as number[]).push(index + 1);
    return index;
  }

  /** Units of flow on an edge addEdge() returned. */
  flowOn(edge: number): number {
    return this.capacity[edge + 1] as number;
  }

  /** Sends as much flow as possible from `source` to `sink`, at the least total cost for that amount. */
  minCostMaxFlow(source: number, sink: number): { flow: number; cost: number } {
    let flow = 0;
    let cost = 0;
    for (;;) {
      const distance = new Array<number>(this.size).fill(Number.POSITIVE_INFINITY);
      const via = new Array<number>(this.size).fill(-1);
      distance[source] = 0;
      for (let round = 0; round < this.size; round++) {
        let changed = false;
        for (let node = 0; node < this.size; node++) {
          const base = distance[node] as number;
          if (base === Number.POSITIVE_INFINITY) continue;
          for (const edge of this.outgoing[node] as number[]) {
            if ((this.capacity[edge] as number) <= 0) continue;
            const next = this.to[edge] as number;
            const candidate = base + (this.cost[edge] as number);
            if (candidate < (distance[next] as number)) {
              distance[next] = candidate;
              via[next] = edge;
              changed = true;
            }
          }
        }
        if (!changed) break;
      }
      if (distance[sink] === Number.POSITIVE_INFINITY) return { flow, cost };
      let push = Number.POSITIVE_INFINITY;
      for (let node = sink; node !== source; node = this.to[(via[node] as number) ^ 1] as number) {
        push = Math.min(push, this.capacity[via[node] as number] as number);
      }
      for (let node = sink; node !== source; node = this.to[(via[node] as number) ^ 1] as number) {
        const edge = via[node] as number;
        this.capacity[edge] = (this.capacity[edge] as number) - push;
        this.capacity[edge ^ 1] = (this.capacity[edge ^ 1] as number) + push;
      }
      flow += push;
      cost += push * (distance[sink] as number);
    }
  }
}
