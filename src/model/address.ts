import { InvalidArgumentError } from '../errors';

/** A node's network address as the cluster announces it. */
export interface NodeAddress {
  host: string;
  port: number;
}

/** `host:port`, with IPv6 hosts in brackets. */
export function formatAddress(address: NodeAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** Parses `host:port` or `[ipv6]:port`. */
export function parseAddress(text: string, argument = 'address'): NodeAddress {
  const match = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:\s]+):(\d+)$/.exec(text);
  if (match === null) {
    throw new InvalidArgumentError(argument, text, 'not of the form host:port', 'Write it as "127.0.0.1:6381" or "[::1]:6381".');
  }
  return validateAddress({ host: match[1] ?? '', port: Number(match[2]) }, argument);
}

/** Checks a caller-supplied address: a non-empty host without whitespace and a port whose bus port (port+10000) fits. */
export function validateAddress(address: NodeAddress, argument = 'address'): NodeAddress {
  if (address === null || typeof address !== 'object') {
    throw new InvalidArgumentError(argument, address, 'not an address object', 'Pass { host, port }.');
  }
  const { host, port } = address;
  if (typeof host !== 'string' || host.length === 0 || /[\s\0-\x1f]/.test(host)) {
    throw new InvalidArgumentError(`${argument}.host`, host, 'not a host name or IP', 'Pass a host like "127.0.0.1".');
  }
  if (!Number.isInteger(port) || port < 1 || port > 55535) {
    throw new InvalidArgumentError(
      `${argument}.port`,
      port,
      'not a usable cluster port',
      'Use an integer from 1 to 55535 (the cluster bus listens on port + 10000, which must be <= 65535).',
    );
  }
  return { host, port };
}

export function sameAddress(a: NodeAddress, b: NodeAddress): boolean {
  return a.port === b.port && a.host === b.host;
}
