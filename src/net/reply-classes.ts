import type { Redis } from 'ioredis';

/**
 * Classifying what a server sent, by protocol facts only: the first byte of every RESP reply names
 * its type, and an error reply starts with an error code (`NOPERM`, `WRONGPASS`...) that the
 * protocol fixes. The prose after the code is never matched.
 */

/** The type bytes a RESP2 / RESP3 reply can start with. */
const RESP_TYPE_BYTES = new Set([...'+-:$*_,#!=(%~>|`'].map((char) => char.charCodeAt(0)));

/** The error code of an error reply: its first word (`NOPERM this user has ...` gives `NOPERM`). */
export function replyCode(reply: string): string {
  const match = /^[A-Z][A-Z_-]*/.exec(reply);
  return match?.[0] ?? '';
}

/** The command an `-NOPERM` reply names (`'cluster|nodes'`), if it names one. */
export function deniedCommand(reply: string): string | undefined {
  return /'([^']+)'/.exec(reply)?.[1]?.toLowerCase();
}

/** True when these bytes cannot start a RESP reply (an HTTP banner, a TLS alert, SSH...). */
export function isForeignGreeting(bytes: Buffer): boolean {
  return bytes.length > 0 && !RESP_TYPE_BYTES.has(bytes[0] as number);
}

/** The start of a foreign answer, printable: its first line, at most 60 characters. */
export function printableGreeting(bytes: Buffer): string {
  const text = Array.from(bytes.subarray(0, 60), (byte) => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : byte === 0x0a || byte === 0x0d ? '\n' : '?')).join('');
  return text.split('\n')[0] ?? '';
}

/**
 * Records the first bytes a connection receives (before ioredis decodes them), so that a peer
 * that is not Redis can be named as such. Returns a getter.
 */
export function recordGreeting(redis: Redis): () => Buffer | undefined {
  let greeting: Buffer | undefined;
  redis.once('connect', () => {
    redis.stream?.once('data', (chunk: Buffer | string) => {
      greeting = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
    });
  });
  return () => greeting;
}
