import { formatAddress, type NodeAddress } from '../model/address';
import type { NodeClient } from '../net/node-client';
import { NodePool } from '../net/node-pool';
import type { ResolvedConnectionOptions } from '../net/connection-options';
import { LockStoreError } from './errors';
import { decodeHolder, encodeHolder, type LeaseAcquireResult, type LeaseRecord, type LeaseRenewResult, type LeaseRequest, type LeaseStore } from './lease-store';

const PREFIX = 'rco-lease';

interface Claim {
  token: string;
  /** When the claim was made, by the claimed node's clock (µs): the claim's fence. */
  claimedAt: number;
  expiresAt: number;
  holder: LeaseRecord['holder'];
}

interface HeldClaim {
  id: number;
  claimedAt: number;
  clockOffsetMs: number;
  expiresAt: number;
  /** The renewal on its way, if the node has not answered the last one yet. */
  renewing?: Promise<void>;
}

interface Held {
  pool: NodePool;
  holder: LeaseRecord['holder'];
  /**
   * node address -> CLIENT ID of the claiming connection, the claim time on that node, that node's
   * clock minus ours (ms, so a renewal needs no TIME round trip), and when the claim runs out by our
   * clock (counted from when its last successful write was sent).
   */
  ids: Map<string, HeldClaim>;
  /** Claims that must stand for the lease to hold. */
  needed: number;
}

/**
 * A lease without keys, for nodes that serve no slot yet (create(), or a cluster whose lease slot
 * has no master): on every node, a dedicated connection of the holder carries a name
 * (`CLIENT SETNAME rco-lease.<token>.<claimed-at>.<expires-at>.<holder>`), times in that node's
 * own clock. Claim the nodes one by one in address order, then look (CLIENT LIST) for other live
 * claims: an operator yields to any claim older than its own on the same node. Of two operators
 * sharing a node, the one that claimed it second sees the first one's older claim there, so at
 * most one proceeds (both yield only when each got ahead of the other on a different node).
 * A crashed holder's claims vanish with its connections; a paused holder's run out at their
 * expiry. Renewal rewrites the name on the same connection (a re-dialled connection means the
 * claim was lost, e.g. broken with CLIENT KILL). The lease holds as long as the needed claims stand,
 * each until its own expiry: a node that misses a heartbeat keeps its earlier claim, so one busy node
 * does not end the lease, and the holder's validity never outlasts the claims it counts on.
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
    const addresses = [...new Set((await this.nodes()).map(formatAddress))].sort();
    if (addresses.length === 0) throw new LockStoreError('no node to hold the lease on', 'Pass the nodes of the cluster (seeds).');
    const needed = this.quorum === 'all' ? addresses.length : majorityOf(addresses.length);
    const held: Held = { pool: new NodePool(this.connection), holder: request.holder, ids: new Map(), needed };
    this.held.set(request.token, held);
    let failure: unknown;
    for (const address of addresses) {
      try {
        await this.claim(held, address, request.token, request.ttlMs);
      } catch (error) {
        failure ??= error;
      }
    }
    if (held.ids.size < needed) {
      await this.release(request.token);
      throw new LockStoreError(`could claim only ${held.ids.size} of ${addresses.length} node(s) (${needed} needed)`, 'Check that the nodes are up and reachable.', {
        cause: failure,
        details: { nodes: addresses },
      });
    }
    const older = await this.liveClaims([...held.ids.keys()], request.token, true, held);
    if (older.length > 0) {
      await this.release(request.token);
      return { acquired: false, current: toRecord(latest(older)) };
    }
    const fence = Math.max(...[...held.ids.values()].map((entry) => entry.claimedAt));
    return { acquired: true, fence, replicated: true };
  }

  async renew(token: string, ttlMs: number): Promise<LeaseRenewResult> {
    const held = this.held.get(token);
    if (held === undefined) return { renewed: false };
    const sentAt = Date.now();
    let renewed = 0;
    // A node that has not answered the previous renewal is not asked again: that renewal goes on.
    const rounds = [...held.ids].map(([address, claim]) => {
      claim.renewing ??= this.renewClaim(held, address, claim, token, ttlMs).then((ok) => {
        claim.renewing = undefined;
        if (ok) renewed++;
      });
      return claim.renewing;
    });
    // Wait for the answers, at most a command timeout: a slower node keeps its earlier claim (until its own
    // expiry), and its renewal goes on in the background.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(rounds), new Promise((resolve) => (timer = setTimeout(resolve, this.connection.commandTimeoutMs)))]);
    clearTimeout(timer);
    if (held.ids.size < held.needed) return { renewed: false };
    // The lease holds while `needed` claims stand: until the needed-th latest expiry.
    const expiries = [...held.ids.values()].map((claim) => claim.expiresAt).sort((a, b) => b - a);
    const validForMs = (expiries[held.needed - 1] ?? 0) - sentAt;
    if (validForMs <= 0) return { renewed: false };
    if (renewed === 0) throw new LockStoreError('no claimed node answered the renewal', 'The next heartbeat retries; the lease runs out if it keeps failing.');
    return { renewed: true, validForMs };
  }

  /**
   * Renews one claim: resolves true when renewed, false when it could not be (its claim then stands until its
   * own expiry, or is gone). Waits for the node up to that expiry: a command timeout would close the
   * connection, and with it the claim.
   */
  private async renewClaim(held: Held, address: string, claim: HeldClaim, token: string, ttlMs: number): Promise<boolean> {
    const sentAt = Date.now();
    try {
      const client = held.pool.get(address);
      // One round trip: the new expiry in the node's clock (offset measured at the claim), and the connection's id.
      const expiresAt = sentAt + claim.clockOffsetMs + ttlMs;
      const commands = [['CLIENT', 'SETNAME', claimName({ token, claimedAt: claim.claimedAt, expiresAt, holder: held.holder })], ['CLIENT', 'ID']];
      const [named, current] = await client.pipeline(commands, { timeoutMs: Math.max(1, claim.expiresAt - sentAt) });
      if (named instanceof Error) return false;
      if (Number(current) === claim.id) {
        claim.expiresAt = sentAt + ttlMs;
        return true;
      }
      // The connection was re-dialled: the claim it carried was killed (breakLock, expiry) or its node
      // restarted. Do not leave a new claim there.
      await client.call(['CLIENT', 'SETNAME', '']).catch(() => undefined);
      held.ids.delete(address);
      return false;
    } catch {
      return false; // no answer: its claim stands until its own expiry
    }
  }

  async release(token: string): Promise<void> {
    const held = this.held.get(token);
    this.held.delete(token);
    // Closing the claiming connections removes the claims.
    await held?.pool.close();
  }

  async read(): Promise<LeaseRecord | undefined> {
    const addresses = (await this.nodes()).map(formatAddress);
    const live = await this.liveClaims(addresses, undefined, false, undefined);
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

  private async claim(held: Held, address: string, token: string, ttlMs: number): Promise<void> {
    const client = held.pool.get(address);
    // The claim time is the claimed node's clock in µs: a claim made after another operator looked
    // at this node is strictly younger than that operator's (equal times fall back to the token order).
    const asked = Date.now();
    const micros = await serverTimeMicros(client);
    const now = Math.floor(micros / 1000);
    const clockOffsetMs = now - Math.round((asked + Date.now()) / 2);
    await client.call(['CLIENT', 'SETNAME', claimName({ token, claimedAt: micros, expiresAt: now + ttlMs, holder: held.holder })]);
    held.ids.set(address, { id: Number(await client.call(['CLIENT', 'ID'])), claimedAt: micros, clockOffsetMs, expiresAt: asked + ttlMs });
  }

  /**
   * Live claims (expiry after the node's own clock) other than `except`. With `mine`, only the
   * claims of operators ahead of me: the order of two operators is their order on the first node
   * (in address order) where both hold a claim, so every operator judges a pair the same way.
   * Kills expired claims when asked.
   */
  private async liveClaims(addresses: readonly string[], except: string | undefined, killExpired: boolean, mine: Held | undefined): Promise<Claim[]> {
    const seen: { address: string; claim: Claim }[] = [];
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
          if (claim.expiresAt > now) seen.push({ address, claim: { ...claim, expiresAt: claim.expiresAt - now + Date.now() } });
          else if (killExpired) await client.call(['CLIENT', 'KILL', 'ID', entry.id]).catch(() => undefined);
        }
      }),
    );
    if (mine === undefined) return seen.map((entry) => entry.claim);
    const ahead: Claim[] = [];
    for (const token of new Set(seen.map((entry) => entry.claim.token))) {
      const theirs = seen.filter((entry) => entry.claim.token === token).sort((x, y) => (x.address < y.address ? -1 : 1));
      const first = theirs.find((entry) => mine.ids.has(entry.address)) ?? theirs[0];
      if (first === undefined) continue;
      const own = mine.ids.get(first.address);
      const older = own === undefined || first.claim.claimedAt < own.claimedAt || (first.claim.claimedAt === own.claimedAt && token < (except ?? ''));
      if (older) ahead.push(first.claim);
    }
    return ahead;
  }
}

function claimName(claim: Claim): string {
  return [PREFIX, claim.token, claim.claimedAt, claim.expiresAt, Buffer.from(encodeHolder(claim.holder)).toString('base64url')].join('.');
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
      return { id, claim: { token: parts[1] as string, claimedAt: Number(parts[2]), expiresAt: Number(parts[3]), holder } };
    });
}

async function serverTimeMicros(client: NodeClient): Promise<number> {
  const [seconds, micros] = (await client.call(['TIME'])) as [string, string];
  return Number(seconds) * 1_000_000 + Number(micros);
}

async function serverTimeMs(client: NodeClient): Promise<number> {
  return Math.floor((await serverTimeMicros(client)) / 1000);
}

function majorityOf(count: number): number {
  return Math.floor(count / 2) + 1;
}

function latest(claims: readonly Claim[]): Claim {
  return claims.reduce((a, b) => (b.expiresAt > a.expiresAt ? b : a));
}

/** A claim as a record; `expiresAt` was converted to this process's clock by liveClaims. */
function toRecord(claim: Claim): LeaseRecord {
  return { token: claim.token, fence: claim.claimedAt, holder: claim.holder, expiresInMs: Math.max(0, claim.expiresAt - Date.now()) };
}
