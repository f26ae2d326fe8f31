import { formatAddress, parseAddress, type NodeAddress } from '../model/address';
import { resolveConnectionOptions, type ConnectionOptions, type ResolvedConnectionOptions } from './connection-options';
import { CommandHooks } from './command-hooks';
import { NodeClient } from './node-client';

/** One NodeClient per announced address, created on first use and reused until close(). */
export class NodePool {
  readonly options: ResolvedConnectionOptions;
  /** Hooks run before every command any client of this pool sends (fencing, fault injection). */
  readonly commandHooks = new CommandHooks();
  private readonly clients = new Map<string, NodeClient>();

  constructor(options: ConnectionOptions = {}) {
    this.options = resolveConnectionOptions(options);
  }

  /** The client for an address (`host:port` or `{ host, port }`). */
  get(address: NodeAddress | string): NodeClient {
    const parsed = typeof address === 'string' ? parseAddress(address) : address;
    const key = formatAddress(parsed);
    let client = this.clients.get(key);
    if (client === undefined) {
      client = new NodeClient(parsed, this.options, this.commandHooks);
      this.clients.set(key, client);
    }
    return client;
  }

  /** Drops (and closes) the client of an address, e.g. a node that was removed. */
  async drop(address: NodeAddress | string): Promise<void> {
    const key = typeof address === 'string' ? address : formatAddress(address);
    const client = this.clients.get(key);
    this.clients.delete(key);
    await client?.close();
  }

  /** `await using pool = new NodePool(...)` closes every connection at the end of the block. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async close(): Promise<void> {
    const clients = [...this.clients.values()];
    this.clients.clear();
    await Promise.all(clients.map((client) => client.close()));
  }
}
