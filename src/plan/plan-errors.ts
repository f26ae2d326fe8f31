import { ClusterOpsError } from '../errors';

/**
 * A plan read from JSON (or built by hand) is malformed, or its `id` does not match its content.
 * `field` names the offending path, e.g. `plan.moves[2].slots`. Nothing was sent to a server.
 */
export class InvalidPlanError extends ClusterOpsError {
  /** The offending field, e.g. `plan.totalSlots`. */
  readonly field: string;

  constructor(kind: string, field: string, problem: string, fix = 'Make the plan again with the plan...() call and store it unchanged.') {
    super('ERR_INVALID_PLAN', `Invalid ${kind} plan: ${field} ${problem}. ${fix}`, { details: { kind, field } });
    this.field = field;
  }
}

/**
 * A plan made for another cluster (or for this one before nodes joined or left): its cluster
 * fingerprint differs from the fingerprint of the cluster it is executed on. Nothing was sent.
 * `details.missing` lists the plan's node ids this cluster does not have.
 */
export class PlanClusterMismatchError extends ClusterOpsError {
  readonly expected: string;
  readonly actual: string;

  constructor(kind: string, expected: string, actual: string, missing: readonly string[]) {
    const absent = missing.length === 0 ? 'its members changed since' : `${missing.length} node(s) it names are not members (${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''})`;
    super(
      'ERR_PLAN_OTHER_CLUSTER',
      `This ${kind} plan was made for cluster ${expected}, not for this cluster (${actual}): ${absent}. Plan again on this cluster and review the new plan.`,
      { details: { kind, expected, actual, missing: missing.slice(0, 100) } },
    );
    this.expected = expected;
    this.actual = actual;
  }
}
