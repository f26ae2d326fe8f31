import { ClusterOpsError } from '../errors';

/** A migration stopped; it names every slot left MIGRATING/IMPORTING and how to resume. */
export class MigrationFailedError extends ClusterOpsError {
  /** Slots left open (MIGRATING on the source, IMPORTING on the target). */
  readonly openSlots: readonly number[];
  readonly doneSlots: number;
  readonly planId: string;

  constructor(planId: string, openSlots: readonly number[], doneSlots: number, cause: unknown, code: 'ERR_MIGRATION_FAILED' | 'ERR_ABORTED' = 'ERR_MIGRATION_FAILED') {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const open = openSlots.length === 0 ? 'No slot was left open.' : `Slots left open: ${formatSlots(openSlots)}.`;
    super(
      code,
      `Migration ${planId} stopped after ${doneSlots} slot(s): ${reason}. ${open} Resume with execute(plan) (same plan, same journal), or run topology.fix() to close open slots.`,
      { cause, details: { planId, openSlots: [...openSlots], doneSlots } },
    );
    this.openSlots = openSlots;
    this.doneSlots = doneSlots;
    this.planId = planId;
  }
}

/**
 * The caller's AbortSignal stopped a migration: code `ERR_ABORTED` (like every abort), and, as a
 * MigrationFailedError, the slots left open and how to resume.
 */
export class MigrationAbortedError extends MigrationFailedError {
  constructor(planId: string, openSlots: readonly number[], doneSlots: number, cause: unknown) {
    super(planId, openSlots, doneSlots, cause, 'ERR_ABORTED');
  }
}

function formatSlots(slots: readonly number[]): string {
  const shown = slots.slice(0, 20).join(', ');
  return slots.length > 20 ? `${shown} and ${slots.length - 20} more` : shown;
}
