import { ClusterOpsError } from '../errors';
import { describeServer, type ServerInfo } from './capabilities';

/**
 * The node's server version cannot do what was asked (e.g. ACL users on Redis 5.0, CLUSTER SHARDS
 * before 7.0). Refused before the command is sent; the message names the version and the alternative.
 */
export class UnsupportedByServerError extends ClusterOpsError {
  readonly address: string;
  /** What was asked, e.g. `ACL users (username)`. */
  readonly feature: string;
  /** The node's server, when known (undefined: too old to say, e.g. it refused AUTH with a user name). */
  readonly server: ServerInfo | undefined;

  constructor(address: string, feature: string, server: ServerInfo | string | undefined, since: string, alternative: string) {
    const serverText = server === undefined ? 'its server' : typeof server === 'string' ? server : describeServer(server);
    super('ERR_UNSUPPORTED_BY_SERVER', `${address} runs ${serverText}, which has no ${feature} (since Redis ${since}). ${alternative}`, {
      details: { address, feature, since, ...(typeof server === 'object' ? { server: server.kind, version: server.version } : server === undefined ? {} : { server }) },
    });
    this.address = address;
    this.feature = feature;
    this.server = typeof server === 'object' ? server : undefined;
  }
}

/** A plaintext connection reached a port that speaks TLS (the server reset it or answered with a TLS record). */
export class TlsRequiredError extends ClusterOpsError {
  readonly address: string;

  constructor(address: string, evidence: string) {
    super(
      'ERR_TLS_REQUIRED',
      `${address} speaks TLS (${evidence}), and this connection is plaintext. Pass tls: { ca, cert?, key? } (or tls: {} with a publicly trusted certificate) to the options, and use the node's tls-port.`,
      { details: { address, evidence } },
    );
    this.address = address;
  }
}
