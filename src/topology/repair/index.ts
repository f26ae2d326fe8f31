// Public names of the repair domain (ClusterTopology.fix), re-exported by src/index.ts.
export type { FixOptions, FixReport, FixedSlot, FixAction } from './fix-cluster';
