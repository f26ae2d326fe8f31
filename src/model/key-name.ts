/**
 * Redis key names are bytes, not text: a key need not be valid UTF-8. Every operation that moves
 * keys carries them as Buffers, so a name is sent back exactly as the server gave it.
 */
export type KeyName = Buffer;

/** A string that stands for exactly these bytes (latin1 maps each byte to one char), for Sets and Maps. */
export function keyId(key: KeyName): string {
  return key.toString('latin1');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const NAMED_ESCAPES: Record<number, string> = { 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x07: '\\a', 0x08: '\\b', 0x5c: '\\\\' };

/**
 * A key name fit for a message: valid UTF-8 reads as itself (control characters escaped), anything
 * else is shown byte by byte the way redis-cli quotes it (printable ASCII as is, `\xHH` for the rest).
 */
export function printableKey(key: KeyName): string {
  let text: string;
  try {
    text = utf8.decode(key);
  } catch {
    return Array.from(key, (byte) => NAMED_ESCAPES[byte] ?? (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : `\\x${byte.toString(16).padStart(2, '0')}`)).join('');
  }
  return text.replace(/[\u0000-\u001f\u007f\\]/g, (char) => NAMED_ESCAPES[char.charCodeAt(0)] ?? `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** The first `limit` names, printable and comma-separated, with "..." when there are more. */
export function listKeys(keys: readonly KeyName[], limit = 10): string {
  return keys.slice(0, limit).map(printableKey).join(', ') + (keys.length > limit ? ', ...' : '');
}
