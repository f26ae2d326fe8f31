// Public names of the repair domain (ClusterTopology.fix / planFix / executeFix), re-exported by src/index.ts.
export type { FixReport, FixedSlot } from './fix-cluster';
export type { FixOptions } from './fix-options';
export type { FixAction } from '../../plan/fix-plan-types';
