import { ClusterOpsError } from '../errors';
import { asSentence } from '../util/sentence';

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
      `Migration ${planId} stopped after ${doneSlots} slot(s): ${asSentence(reason)} ${open} Resume with execute(plan) (same plan, same journal), or run topology.fix() to close open slots.`,
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
