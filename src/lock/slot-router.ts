import { ClusterOpsError, CommandFailedError, NodeUnreachableError } from '../errors';
import { formatAddress, parseAddress, type NodeAddress } from '../model/address';
import type { CommandArg, NodeClient } from '../net/node-client';
import type { NodePool } from '../net/node-pool';
import { sleep } from '../util/abort';
import { LockStoreError } from './errors';

const MAX_REDIRECTS = 6;

/** Where a command for the lease's slot was served: the client (for WAIT on the same connection). */
export interface RoutedReply {
  reply: unknown;
  client: NodeClient;
}

/**
 * Sends commands about one key's slot to the master serving it, the way a cluster client does:
 * MOVED updates the owner and retries, ASK sends ASKING + the command to the importing node (the
 * slot is being migrated, possibly by our own migration), TRYAGAIN waits a moment. An unreachable
 * node is skipped for the next candidate (after a failover, a replica redirects to its new master).
 */
export class SlotRouter {
  private owner: string | undefined;

  constructor(
    private readonly pool: NodePool,
    /** Addresses to try when the owner is unknown or unreachable (the topology's known nodes). */
    private readonly candidates: () => readonly NodeAddress[],
  ) {}

  async send(args: readonly CommandArg[]): Promise<RoutedReply> {
    const tried = new Set<string>();
    let lastError: unknown;
    let address = this.owner ?? this.nextCandidate(tried);
    let redirects = 0;
    while (address !== undefined) {
      const client = this.pool.get(address);
      try {
        const reply = await client.call(args);
        this.owner = address;
        return { reply, client };
      } catch (error) {
        lastError = error;
        const redirect = error instanceof CommandFailedError ? parseRedirect(error.reply, address) : undefined;
        if (redirect !== undefined && redirects++ < MAX_REDIRECTS) {
          if (redirect.kind === 'MOVED') {
            // The slot's master is down and not failed over yet (its host died): the slot is unserved for now.
            if (tried.has(redirect.address)) {
              throw new LockStoreError(`${address} redirects the lease slot to ${redirect.address}, which does not answer`, 'The lock holds the lease as per-node claims until the cluster fails that master over.', {
                cause: lastError,
                details: { address: redirect.address, unserved: true },
              });
            }
            address = redirect.address;
            continue;
          }
          const target = this.pool.get(redirect.address);
          const [, answer] = await target.pipeline([['ASKING'], args]);
          if (answer instanceof ClusterOpsError) throw answer;
          return { reply: answer, client: target };
        }
        if (error instanceof CommandFailedError && /^TRYAGAIN\b/.test(error.reply) && redirects++ < MAX_REDIRECTS) {
          await sleep(50);
          continue;
        }
        if (error instanceof CommandFailedError && /^CLUSTERDOWN\b/.test(error.reply)) {
          throw new LockStoreError(`${address} says ${error.reply}`, 'The lease slot has no serving master: run fix(), or the lock falls back to per-node claims.', {
            cause: error,
            details: { address, unserved: true },
          });
        }
        if (!(error instanceof NodeUnreachableError)) throw error;
        if (this.owner === address) this.owner = undefined;
        tried.add(address);
        address = this.nextCandidate(tried);
      }
    }
    throw new LockStoreError('no node serving the lease slot could be reached', 'Check that the cluster is up; the holder keeps trying until its lease runs out.', {
      cause: lastError,
      details: { tried: [...tried] },
    });
  }

  private nextCandidate(tried: ReadonlySet<string>): string | undefined {
    for (const candidate of this.candidates()) {
      const address = formatAddress(candidate);
      if (!tried.has(address)) return address;
    }
    return undefined;
  }
}

/** `MOVED 1234 10.0.0.1:6380` or `ASK ...`; an empty host (`:6380`) means the replying node's host. */
export function parseRedirect(reply: string, from: string): { kind: 'MOVED' | 'ASK'; slot: number; address: string } | undefined {
  const match = /^(MOVED|ASK) (\d+) (\S*):(\d+)$/.exec(reply.trim());
  if (match === null) return undefined;
  const host = match[3] === '' || match[3] === '?' ? parseAddress(from).host : (match[3] as string);
  return { kind: match[1] as 'MOVED' | 'ASK', slot: Number(match[2]), address: formatAddress({ host, port: Number(match[4]) }) };
}
