import { connect as tlsConnect } from 'node:tls';
import { AuthenticationError, ClusterOpsError, CommandFailedError, NodeUnreachableError } from '../errors';
import { dialAddress, type ResolvedConnectionOptions } from './connection-options';
import { TlsRequiredError, UnsupportedByServerError } from './errors';

export interface DiagnosisTarget {
  host: string;
  port: number;
  address: string;
  options: ResolvedConnectionOptions;
}

/**
 * Looks behind a failed connection or command for a cause the raw error hides, and returns a
 * better error when it finds one (else the error it was given):
 * - a plaintext client on a TLS port: the server resets the connection after the first bytes
 *   (they are not a TLS ClientHello). A TLS handshake probe then tells the port speaks TLS;
 * - a user name on a server without ACL users (before Redis 6.0).
 */
export async function explainConnectFailure(error: ClusterOpsError, raw: unknown, target: DiagnosisTarget): Promise<ClusterOpsError> {
  if (target.options.username !== undefined && refusedUserAuth(error, raw)) {
    return new UnsupportedByServerError(target.address, 'ACL users (username)', 'a server before Redis 6.0', '6.0', 'Leave username out and connect with the requirepass password, or upgrade to Redis 6.0+.');
  }
  if (target.options.tls === undefined && error instanceof NodeUnreachableError && looksReset(raw)) {
    const dial = dialAddress(target.options.natMap, target.host, target.port);
    const evidence = await probeTls(dial.host, dial.port, Math.min(target.options.connectTimeoutMs, 2000));
    if (evidence !== undefined) return new TlsRequiredError(target.address, evidence);
  }
  return error;
}

/**
 * `AUTH user pass` on a server without ACL users fails as a wrong number of arguments; ioredis then
 * carries on unauthenticated, so the first command meets NOAUTH (a 6.0+ server answers a wrong user
 * or password with WRONGPASS instead).
 */
function refusedUserAuth(error: ClusterOpsError, raw: unknown): boolean {
  if (error instanceof CommandFailedError) return /wrong number of arguments for 'auth'/i.test(error.reply);
  return error instanceof AuthenticationError && raw instanceof Error && raw.message.startsWith('NOAUTH');
}

/** The peer closed or reset the connection (what a TLS port does to plaintext), as opposed to refusing it or timing out. */
function looksReset(raw: unknown): boolean {
  if (!(raw instanceof Error)) return false;
  const code = (raw as NodeJS.ErrnoException).code;
  // ioredis reports a connection the peer closed under a command as this plain Error, without a code.
  return code === 'ECONNRESET' || code === 'EPIPE' || raw.message === 'Connection is closed.';
}

/**
 * Opens a TLS handshake to host:port without verifying anything. Resolves to what shows the port
 * speaks TLS (a completed handshake, or a TLS alert such as "certificate required"), or undefined
 * when it does not (a plaintext server answers a ClientHello with text: "wrong version number").
 */
export function probeTls(host: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host, port, rejectUnauthorized: false, ...(/^[\d.]+$|:/.test(host) ? {} : { servername: host }) });
    const done = (evidence: string | undefined): void => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(evidence);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.once('secureConnect', () => done('a TLS handshake on that port succeeds'));
    socket.once('error', (error: NodeJS.ErrnoException) => done(/ALERT/i.test(error.code ?? '') ? `it answers a TLS handshake with a TLS alert (${error.code ?? 'alert'})` : undefined));
  });
}
