import { ClusterOpsError } from '../errors';
import { asSentence } from '../sentence';

/**
 * What to do after a migration stopped:
 * - `'resume'`: run execute(plan) again (same plan, same journal), or topology.fix() to close open slots;
 * - `'fix-then-new-plan'`: a node of the plan is no longer a usable master (a failover, a dead node):
 *   run topology.fix(), then make and execute a new plan; execute(plan) with this plan would be refused;
 * - `'fix'`: run topology.fix() first (a mark this run did not set, a node that stopped answering).
 */
export type MigrationAdvice = 'resume' | 'fix-then-new-plan' | 'fix';

/** A migration stopped; it names every slot left MIGRATING/IMPORTING and what to do next (`advice`). */
export class MigrationFailedError extends ClusterOpsError {
  /** Slots left open (MIGRATING on the source, IMPORTING on the target). */
  readonly openSlots: readonly number[];
  readonly doneSlots: number;
  readonly planId: string;
  readonly advice: MigrationAdvice;

  constructor(
    planId: string,
    openSlots: readonly number[],
    doneSlots: number,
    cause: unknown,
    advice: MigrationAdvice = 'resume',
    code: 'ERR_MIGRATION_FAILED' | 'ERR_ABORTED' = 'ERR_MIGRATION_FAILED',
    verb = 'stopped',
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const open = openSlots.length === 0 ? 'No slot was left open.' : `Slots left open: ${formatSlots(openSlots)}.`;
    super(code, `Migration ${planId} ${verb} after ${doneSlots} slot(s): ${asSentence(reason)} ${open} ${ADVICE[advice]}`, {
      cause,
      details: { planId, openSlots: [...openSlots], doneSlots, advice },
    });
    this.openSlots = openSlots;
    this.doneSlots = doneSlots;
    this.planId = planId;
    this.advice = advice;
  }
}

/**
 * The caller's AbortSignal stopped a migration: code `ERR_ABORTED` (like every abort). With the default
 * `onAbort: 'finish-in-flight'` the slots that were open have been finished first, so `openSlots` is empty.
 */
export class MigrationAbortedError extends MigrationFailedError {
  constructor(planId: string, openSlots: readonly number[], doneSlots: number, cause: unknown) {
    super(planId, openSlots, doneSlots, cause, 'resume', 'ERR_ABORTED', 'was aborted');
  }
}

/**
 * A slot the plan moves is MIGRATING or IMPORTING on its source or target, and this run did not set that mark
 * (another operator, or a crashed run without its journal). Nothing was sent for it: overwriting such a mark is
 * how two tools lose keys.
 */
export class ForeignSlotMarkError extends ClusterOpsError {
  readonly marks: readonly { slot: number; address: string; state: 'migrating' | 'importing'; peerId: string }[];

  constructor(marks: readonly { slot: number; address: string; state: 'migrating' | 'importing'; peerId: string }[]) {
    const shown = marks
      .slice(0, 5)
      .map((m) => `slot ${m.slot} ${m.state.toUpperCase()} ${m.state === 'migrating' ? 'to' : 'from'} ${m.peerId.slice(0, 12)} on ${m.address}`)
      .join('; ');
    super(
      'ERR_FOREIGN_SLOT_MARK',
      `Refusing to open slots this run did not mark: ${shown}${marks.length > 5 ? `; and ${marks.length - 5} more` : ''}. ` +
        `Another operation may be moving them, or an earlier run crashed without its journal. Make sure no other tool works on the cluster, ` +
        `run topology.fix() to settle the open slots, then make a new plan.`,
      { details: { marks: marks.slice(0, 100).map((m) => ({ ...m })) } },
    );
    this.marks = marks;
  }
}

const ADVICE: Record<MigrationAdvice, string> = {
  resume: 'Resume with execute(plan) (same plan, same journal), or run topology.fix() to close open slots.',
  'fix-then-new-plan': 'This plan cannot resume: run topology.fix(), then make a new plan (planReshard / planRebalance / planDrain) and execute it.',
  fix: 'Run topology.fix() first; then execute(plan) again if every node of the plan is still a master, or make a new plan.',
};

function formatSlots(slots: readonly number[]): string {
  const shown = slots.slice(0, 20).join(', ');
  return slots.length > 20 ? `${shown} and ${slots.length - 20} more` : shown;
}
