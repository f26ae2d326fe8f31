import { ClusterOpsError } from '../errors';
import { listKeys, printableKey, type KeyName } from '../model/key-name';

/** Keys that exist on both sides of a move (BUSYKEY) while onConflict is 'fail'. Nothing was overwritten or lost. */
export class KeyConflictError extends ClusterOpsError {
  readonly slot: number;
  /** The names in printable form (see printableKey). */
  readonly keys: readonly string[];
  /** The names as bytes, exactly as stored. */
  readonly rawKeys: readonly KeyName[];

  constructor(slot: number, keys: readonly KeyName[], source: string, target: string) {
    super(
      'ERR_KEY_CONFLICT',
      `Slot ${slot}: ${keys.length} key(s) already exist on the target ${target} (${listKeys(keys)}). ` +
        `Nothing was overwritten; the source ${source} still holds them and the slot is left open. Compare the copies, then run again with onConflict: 'replace' to keep the source's, or delete the target's copies.`,
      { details: { slot, keys: keys.slice(0, 100).map(printableKey), source, target } },
    );
    this.slot = slot;
    this.keys = keys.map(printableKey);
    this.rawKeys = keys;
  }
}
