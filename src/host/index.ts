// Public names of the host domain (HostTuner), re-exported by src/index.ts.
export { HostTuner } from './host-tuner';
export type { HostTunerOptions, HostItem, HostEdit, HostPlan, ApplyResult } from './host-tuner';
export { HostTunerPermissionError } from './errors';
export { HOST_SETTINGS } from './host-settings';
export type { HostSettingName, HostSettingSpec } from './host-settings';
