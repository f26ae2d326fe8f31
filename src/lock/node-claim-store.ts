import { formatAddress, type NodeAddress } from '../model/address';
import type { NodeClient } from '../net/node-client';
import { NodePool } from '../net/node-pool';
import type { ResolvedConnectionOptions } from '../net/connection-options';
import { LockStoreError } from './errors';
import { decodeHolder, encodeHolder, type LeaseAcquireResult, type LeaseRecord, type LeaseRenewResult, type LeaseRequest, type LeaseStore } from './lease-store';

const PREFIX = 'rco-lease';

interface Claim {
  token: string;
  fence: number;
  expiresAt: number;
  holder: LeaseRecord['holder'];
}

interface Held {
  pool: NodePool;
  /** node address -> CLIENT ID of the claiming connection. */
  ids: Map<string, number>;
  fence: number;
}

/**
 * A lease without keys, for nodes that serve no slot yet (create(), or a cluster whose lease slot
 * has no master): on every node, a dedicated connection of the holder carries a name
 * (`CLIENT SETNAME rco-lease.<token>.<fence>.<expires-at>.<holder>`), with the expiry in that
 * node's own clock. Claim first, then look (CLIENT LIST) for another live claim: of two operators
 * sharing a node, at least one sees the other, so at most one proceeds (both may back off).
 * A crashed holder's claims vanish with its connections; a paused holder's run out at their
 * expiry. Renewal rewrites the name on the same connection (a re-dialled connection means the
 * claim was lost, e.g. broken with CLIENT KILL).
 */
export class NodeClaimStore implements LeaseStore {
  private readonly held = new Map<string, Held>();
  private readonly queries: NodePool;

  constructor(
    private readonly connection: ResolvedConnectionOptions,
    /** The nodes to claim: the nodes of a create(), or the reachable masters of a cluster. */
    private readonly nodes: () => Promise<readonly NodeAddress[]>,
    /** Claims needed: 'all' nodes (create) or a 'majority' (a cluster whose lease slot is down). */
    private readonly quorum: 'all' | 'majority' = 'all',
  ) {
    this.queries = new NodePool(connection);
  }

  async acquire(request: LeaseRequest): Promise<LeaseAcquireResult> {
    const addresses = (await this.nodes()).map(formatAddress);
    if (addresses.length === 0) throw new LockStoreError('no node to hold the lease on', 'Pass the nodes of the cluster (seeds).');
    const pool = new NodePool(this.connection);
    const held: Held = { pool, ids: new Map(), fence: 0 };
    this.held.set(request.token, held);
    const outcomes = await Promise.allSettled(addresses.map((address) => this.claim(held, address, request.token, request.ttlMs, request.holder)));
    const needed = this.quorum === 'all' ? addresses.length : Math.floor(addresses.length / 2) + 1;
    if (held.ids.size < needed) {
      await this.release(request.token);
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
      throw new LockStoreError(`could claim only ${held.ids.size} of ${addresses.length} node(s) (${needed} needed)`, 'Check that the nodes are up and reachable.', {
        cause: failed?.reason,
        details: { nodes: addresses },
      });
    }
    const foreign = await this.liveClaims([...held.ids.keys()], request.token, true);
    if (foreign.length > 0) {
      await this.release(request.token);
      return { acquired: false, current: toRecord(latest(foreign)) };
    }
    return { acquired: true, fence: held.fence, replicated: true };
  }

  async renew(token: string, ttlMs: number): Promise<LeaseRenewResult> {
    const held = this.held.get(token);
    if (held === undefined) return { renewed: false };
    const results = await Promise.all(
      [...held.ids].map(async ([address, id]) => {
        const client = held.pool.get(address);
        const now = await serverTimeMs(client);
        const holder = (this.claimOf.get(token) as Claim).holder;
        await client.call(['CLIENT', 'SETNAME', claimName({ token, fence: held.fence, expiresAt: now + ttlMs, holder })]);
        if (Number(await client.call(['CLIENT', 'ID'])) === id) return true;
        // The connection was re-dialled: the claim it carried was killed. Do not leave a new one.
        await client.call(['CLIENT', 'SETNAME', '']).catch(() => undefined);
        return false;
      }),
    );
    return results.every(Boolean) ? { renewed: true } : { renewed: false };
  }

  async release(token: string): Promise<void> {
    const held = this.held.get(token);
    this.held.delete(token);
    this.claimOf.delete(token);
    // Closing the claiming connections removes the claims.
    await held?.pool.close();
  }

  async read(): Promise<LeaseRecord | undefined> {
    const addresses = (await this.nodes()).map(formatAddress);
    const live = await this.liveClaims(addresses, undefined, false);
    return live.length === 0 ? undefined : toRecord(latest(live));
  }

  async breakLease(token: string): Promise<boolean> {
    let broke = false;
    for (const address of (await this.nodes()).map(formatAddress)) {
      const client = this.queries.get(address);
      const list = await client.call(['CLIENT', 'LIST']).catch(() => '');
      for (const entry of parseClientList(String(list))) {
        if (entry.claim?.token !== token) continue;
        await client.call(['CLIENT', 'KILL', 'ID', entry.id]).catch(() => undefined);
        broke = true;
      }
    }
    return broke;
  }

  async close(): Promise<void> {
    await Promise.all([...this.held.keys()].map((token) => this.release(token)));
    await this.queries.close();
  }

  private readonly claimOf = new Map<string, Claim>();

  private async claim(held: Held, address: string, token: string, ttlMs: number, holder: LeaseRecord['holder']): Promise<void> {
    const client = held.pool.get(address);
    const now = await serverTimeMs(client);
    // The fence of a claim is the claiming node's clock: it grows from one acquire to the next
    // as long as that clock does not go back.
    held.fence = Math.max(held.fence, now);
    const claim: Claim = { token, fence: held.fence, expiresAt: now + ttlMs, holder };
    this.claimOf.set(token, claim);
    await client.call(['CLIENT', 'SETNAME', claimName(claim)]);
    held.ids.set(address, Number(await client.call(['CLIENT', 'ID'])));
  }

  /** Live claims (expiry after the node's own clock) other than `except`; kills expired ones when asked. */
  private async liveClaims(addresses: readonly string[], except: string | undefined, killExpired: boolean): Promise<Claim[]> {
    const found: Claim[] = [];
    await Promise.all(
      addresses.map(async (address) => {
        const client = this.queries.get(address);
        let list: string;
        let now: number;
        try {
          [list, now] = [String(await client.call(['CLIENT', 'LIST'])), await serverTimeMs(client)];
        } catch {
          return; // an unreachable node holds no claim anyone can rely on
        }
        for (const entry of parseClientList(list)) {
          const claim = entry.claim;
          if (claim === undefined || claim.token === except) continue;
          if (claim.expiresAt > now) found.push({ ...claim, expiresAt: claim.expiresAt - now + Date.now() });
          else if (killExpired) await client.call(['CLIENT', 'KILL', 'ID', entry.id]).catch(() => undefined);
        }
      }),
    );
    return found;
  }
}

function claimName(claim: Claim): string {
  return [PREFIX, claim.token, claim.fence, claim.expiresAt, Buffer.from(encodeHolder(claim.holder)).toString('base64url')].join('.');
}

/** `id=7 addr=... name=rco-lease.<token>.<fence>.<expires>.<holder> ...` lines -> claims. */
export function parseClientList(text: string): { id: number; claim?: Claim }[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const id = Number(/(?:^| )id=(\d+)/.exec(line)?.[1] ?? -1);
      const name = /(?:^| )name=(\S*)/.exec(line)?.[1] ?? '';
      const parts = name.split('.');
      if (parts.length !== 5 || parts[0] !== PREFIX) return { id };
      const holder = decodeHolder(Buffer.from(parts[4] as string, 'base64url').toString());
      return { id, claim: { token: parts[1] as string, fence: Number(parts[2]), expiresAt: Number(parts[3]), holder } };
    });
}

async function serverTimeMs(client: NodeClient): Promise<number> {
  const [seconds, micros] = (await client.call(['TIME'])) as [string, string];
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

function latest(claims: readonly Claim[]): Claim {
  return claims.reduce((a, b) => (b.expiresAt > a.expiresAt ? b : a));
}

/** A claim as a record; `expiresAt` was converted to this process's clock by liveClaims. */
function toRecord(claim: Claim): LeaseRecord {
  return { token: claim.token, fence: claim.fence, holder: claim.holder, expiresInMs: Math.max(0, claim.expiresAt - Date.now()) };
}
