// Public names of the doctor domain (diagnose, advise), re-exported by src/index.ts.
export { diagnose, advise } from './doctor';
export type { DiagnoseOptions, Advice } from './doctor';
export { REMEDIES, RUNBOOK_SECTIONS, DEFAULT_DOCTOR_THRESHOLDS, sectionOf } from './finding';
export type { Finding, FindingCode, DoctorThresholds } from './finding';
export type { NodeEvidence, HostEvidence } from './evidence';
export { logFindings } from './log-rules';
export { parseLogLine, densestBurst } from './log-line';
export type { LogEntry, Burst } from './log-line';
export { nodeFindings, hostFindings, clusterFindings } from './node-rules';
export { noaddrFindings } from './noaddr-rule';
