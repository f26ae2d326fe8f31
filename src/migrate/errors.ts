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

/** A migration stopped; it names every slot left MIGRATING/IMPORTING and how to resume. */
export class MigrationFailedError extends ClusterOpsError {
  /** Slots left open (MIGRATING on the source, IMPORTING on the target). */
  readonly openSlots: readonly number[];
  readonly doneSlots: number;
  readonly planId: string;

  constructor(planId: string, openSlots: readonly number[], doneSlots: number, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const open = openSlots.length === 0 ? 'No slot was left open.' : `Slots left open: ${formatSlots(openSlots)}.`;
    super(
      'ERR_MIGRATION_FAILED',
      `Migration ${planId} stopped after ${doneSlots} slot(s): ${reason}. ${open} Resume with execute(plan) (same plan, same journal), or run topology.fix() to close open slots.`,
      { cause, details: { planId, openSlots: [...openSlots], doneSlots } },
    );
    this.openSlots = openSlots;
    this.doneSlots = doneSlots;
    this.planId = planId;
  }
}

function formatSlots(slots: readonly number[]): string {
  const shown = slots.slice(0, 20).join(', ');
  return slots.length > 20 ? `${shown} and ${slots.length - 20} more` : shown;
}
