// Public names of the doctor domain (diagnose, advise), re-exported by src/index.ts.
export { diagnose, advise } from './doctor';
export type { DiagnoseOptions, Advice } from './doctor';
export { REMEDIES } from './finding';
export type { Finding, FindingCode } from './finding';
export type { NodeEvidence, HostEvidence } from './evidence';
export { logFindings } from './log-rules';
export { nodeFindings, hostFindings, clusterFindings } from './node-rules';
export { noaddrFindings } from './noaddr-rule';
