import calculateSlot from 'cluster-key-slot';

/** Number of hash slots in a Redis Cluster. */
export const SLOT_COUNT = 16384;

/** The hash slot of a key (CRC16 of the hash tag, or of the whole key, modulo 16384). */
export function keySlot(key: string | Buffer): number {
  return calculateSlot(key);
}
