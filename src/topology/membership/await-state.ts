import { ConvergenceTimeoutError } from '../../errors';
import { findDisagreements, type AgreementOptions } from '../../model/agreement';
import type { ClusterState } from '../../model/cluster-state';
import { pollUntil } from '../../util/poll';
import type { TopologyContext } from '../topology-context';

export interface AwaitStateOptions extends AgreementOptions {
  /** @defaultValue the topology's convergenceTimeoutMs */
  timeoutMs?: number;
  signal?: AbortSignal;
  operation: string;
  /** Extra conditions: the reasons the state is not there yet (empty = done). */
  check?: (state: ClusterState) => string[] | Promise<string[]>;
}

/**
 * Polls fresh snapshots until every view agrees (findDisagreements) and `check` has nothing
 * left to report. Throws ConvergenceTimeoutError naming what still disagrees.
 */
export async function awaitState(context: TopologyContext, options: AwaitStateOptions): Promise<{ state: ClusterState; elapsedMs: number; attempts: number }> {
  const timeoutMs = options.timeoutMs ?? context.options.convergenceTimeoutMs;
  const result = await pollUntil(
    async () => {
      const state = await context.refresh();
      const problems = [...findDisagreements(state.views, options), ...((await options.check?.(state)) ?? [])];
      return { done: problems.length === 0, state, problems };
    },
    { timeoutMs, operation: options.operation, ...(options.signal === undefined ? {} : { signal: options.signal }) },
  );
  if (!result.done) throw new ConvergenceTimeoutError(timeoutMs, result.problems);
  return { state: result.state, elapsedMs: result.elapsedMs, attempts: result.attempts };
}

/** Views (other than the node's own) that list `nodeId` with another role or master than expected. */
export function roleProblems(state: ClusterState, nodeId: string, expected: { role: 'master' } | { role: 'replica'; masterId: string }): string[] {
  const problems: string[] = [];
  for (const view of state.views) {
    const line = view.nodes.find((node) => node.id === nodeId);
    if (line === undefined) {
      problems.push(`${view.address} does not list ${nodeId.slice(0, 8)}`);
      continue;
    }
    if (line.role !== expected.role) {
      problems.push(`${view.address} sees ${nodeId.slice(0, 8)} as ${line.role}, not ${expected.role}`);
    } else if (expected.role === 'replica' && line.masterId !== expected.masterId) {
      problems.push(`${view.address} sees ${nodeId.slice(0, 8)} replicating ${line.masterId?.slice(0, 8) ?? 'nobody'}, not ${expected.masterId.slice(0, 8)}`);
    }
  }
  return problems;
}
