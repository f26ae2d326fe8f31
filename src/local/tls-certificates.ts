import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterOpsError } from '../errors';

/** The certificate files of a TLS LocalCluster, and their PEM text for clients. */
export interface LocalTlsFiles {
  /** The run's own CA certificate (PEM file path). */
  caFile: string;
  /** The nodes' certificate (server and client use), signed by the CA, for every loopback address. */
  certFile: string;
  keyFile: string;
  /** The same as PEM text: pass `{ ca, cert, key }` as `tls` to ClusterTopology or ioredis. */
  ca: string;
  cert: string;
  key: string;
}

/**
 * Generates, with the openssl CLI, a CA and one certificate signed by it, valid for two days, with
 * the given IP addresses (and localhost) as subject alternative names and both server and client
 * use (Redis asks clients and cluster-bus peers for a certificate: tls-auth-clients yes).
 */
export function generateTlsFiles(dir: string, ipAddresses: readonly string[]): LocalTlsFiles {
  mkdirSync(dir, { recursive: true });
  const file = (name: string): string => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const san = ['DNS:localhost', ...[...new Set(ipAddresses)].map((ip) => `IP:${ip}`)].join(',');
  writeFileSync(file('node.ext'), `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=${san}\n`);
  const openssl = (args: string[]): void => {
    try {
      execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
    } catch (error) {
      const stderr = String((error as { stderr?: Buffer }).stderr ?? (error as Error).message);
      throw new ClusterOpsError('ERR_TLS_SETUP', `Could not generate TLS certificates with the openssl CLI (openssl ${args[0]}): ${stderr.trim().slice(0, 300)}. Install openssl (apt-get install -y openssl).`, {
        details: { dir },
      });
    }
  };
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=redis-cluster-ops LocalCluster CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  openssl(['req', '-new', ...ec, '-keyout', 'node.key', '-out', 'node.csr', '-subj', '/CN=redis-cluster-ops LocalCluster node']);
  openssl(['x509', '-req', '-in', 'node.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'node.crt', '-days', '2', '-extfile', 'node.ext']);
  return {
    caFile: file('ca.crt'),
    certFile: file('node.crt'),
    keyFile: file('node.key'),
    ca: readFileSync(file('ca.crt'), 'utf8'),
    cert: readFileSync(file('node.crt'), 'utf8'),
    key: readFileSync(file('node.key'), 'utf8'),
  };
}
