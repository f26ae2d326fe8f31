import { selfLine, type NodeView } from '../../model/node-view';

/** A node (`subject`) whose own news some other node (`viewer`) has not heard yet. */
export interface StaleView {
  /** The node that is out of date. */
  viewer: string;
  /** The node it is out of date about (its own line says otherwise). */
  subject: string;
}

/**
 * Pure: every pair where a viewer's line for a subject gives another role, master or slot set than
 * the subject's own line. Redis updates those only from a packet the subject itself sends (a PING,
 * or a MEET), not from gossip, so each pair names who must speak to whom. Cost: one pass over the
 * views' lines.
 */
export function staleViews(views: readonly NodeView[]): StaleView[] {
  const own = new Map<string, string>();
  for (const view of views) {
    const self = selfLine(view);
    if (self !== undefined) own.set(self.id, signature(self));
  }
  const stale: StaleView[] = [];
  for (const view of views) {
    for (const line of view.nodes) {
      if (line.myself || line.handshake) continue;
      const truth = own.get(line.id);
      if (truth !== undefined && truth !== signature(line)) stale.push({ viewer: view.address, subject: line.id });
    }
  }
  return stale;
}

function signature(line: NodeView['nodes'][number]): string {
  return line.role === 'master' ? `master ${line.slots.toString()}` : `replica ${line.masterId ?? ''}`;
}
