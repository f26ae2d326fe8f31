import type { NodeEvidence } from './evidence';
import { DEFAULT_DOCTOR_THRESHOLDS, type DoctorThresholds, type Finding } from './finding';
import { LogRuleContext } from './log-context';
import { parseLog } from './log-line';
import { persistenceLogRules } from './log-persistence-rules';
import { replicationLogRules } from './log-replication-rules';
import { startupLogRules } from './log-startup-rules';

/**
 * Pure: findings from one node's log lines, in the formats Redis 5.0 to 7.2 and Valkey 8.0 write.
 * Repeating symptoms count inside time windows (the log's own timestamps), not over the whole file.
 */
export function logFindings(node: NodeEvidence, thresholds: DoctorThresholds = DEFAULT_DOCTOR_THRESHOLDS): Finding[] {
  const context = new LogRuleContext(node, parseLog(node.logLines), thresholds);
  persistenceLogRules(context);
  replicationLogRules(context);
  startupLogRules(context);
  return context.findings;
}
