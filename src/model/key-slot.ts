/** Number of hash slots in a Redis Cluster. */
export const SLOT_COUNT = 16384;

/** CRC16-CCITT (XModem: polynomial 0x1021, initial value 0), the checksum Redis Cluster hashes keys with. */
const CRC16_TABLE = buildCrc16Table();

function buildCrc16Table(): Uint16Array {
  const table = new Uint16Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte << 8;
    for (let bit = 0; bit < 8; bit++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[byte] = crc;
  }
  return table;
}

function crc16(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = ((crc << 8) & 0xffff) ^ (CRC16_TABLE[((crc >> 8) ^ (bytes[i] as number)) & 0xff] as number);
  return crc;
}

const OPEN = 0x7b; // {
const CLOSE = 0x7d; // }

/**
 * The hash slot of a key, as Redis computes it (`CLUSTER KEYSLOT`): CRC16 of the key's bytes modulo
 * 16384, or of the hash tag only, which is what lies between the first `{` and the first `}` after
 * it, when that is non-empty. An empty first tag (`{}x{y}`) makes Redis hash the whole key: later
 * tags never count. Binary-safe: a Buffer is hashed as is, a string as its UTF-8 bytes.
 */
export function keySlot(key: string | Buffer): number {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  const open = bytes.indexOf(OPEN);
  if (open >= 0) {
    const close = bytes.indexOf(CLOSE, open + 1);
    if (close > open + 1) return crc16(bytes, open + 1, close) & (SLOT_COUNT - 1);
  }
  return crc16(bytes, 0, bytes.length) & (SLOT_COUNT - 1);
}
