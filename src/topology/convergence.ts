import { ConvergenceTimeoutError } from '../errors';
import { findDisagreements, type AgreementOptions } from '../model/agreement';
import type { ClusterState } from '../model/cluster-state';
import { pollUntil } from '../util/poll';

export interface WaitForConvergenceOptions extends AgreementOptions {
  /** @defaultValue the topology's convergenceTimeoutMs (30000) */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ConvergenceResult {
  state: ClusterState;
  elapsedMs: number;
  attempts: number;
}

/**
 * Polls `snapshot` until every view agrees (see findDisagreements). Fast at first (25 ms),
 * backing off to 250 ms, so back-to-back operations wait only as long as gossip needs.
 */
export async function awaitAgreement(
  snapshot: () => Promise<ClusterState>,
  options: WaitForConvergenceOptions & { timeoutMs: number },
): Promise<ConvergenceResult> {
  const result = await pollUntil(
    async () => {
      const state = await snapshot();
      const disagreements = findDisagreements(state.views, options);
      return { done: disagreements.length === 0, state, disagreements };
    },
    { timeoutMs: options.timeoutMs, operation: 'waitForConvergence', ...(options.signal === undefined ? {} : { signal: options.signal }) },
  );
  if (!result.done) throw new ConvergenceTimeoutError(options.timeoutMs, result.disagreements);
  return { state: result.state, elapsedMs: result.elapsedMs, attempts: result.attempts };
}
