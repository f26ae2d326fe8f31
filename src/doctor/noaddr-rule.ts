import type { CheckReport } from '../topology/check-rules';
import { REMEDIES, type Finding } from './finding';

/** Pure: a finding per node id check() found without an address (`noaddr`); an error when it is a master serving slots. */
export function noaddrFindings(report: CheckReport): Finding[] {
  return report.problems
    .filter((problem) => problem.code === 'node-noaddr')
    .map((problem) => ({
      code: 'node-noaddr' as const,
      severity: problem.severity,
      ...(problem.nodeId === undefined ? {} : { nodeId: problem.nodeId }),
      ...(problem.address === undefined ? {} : { address: problem.address }),
      evidence: problem.message,
      remedy: REMEDIES['node-noaddr'],
    }));
}
