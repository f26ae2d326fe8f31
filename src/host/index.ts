// Public names of the host domain (HostTuner), re-exported by src/index.ts.
export { HostTuner, DEFAULT_HOST_TUNER_OPTIONS } from './host-tuner';
export type { HostTunerOptions, ApplyResult, HostUndoEntry } from './host-tuner';
export type { HostItem } from './host-items';
export type { HostEdit, HostPlan, HostManualStep, ThpBoot } from './host-plan';
export { HostTunerPermissionError } from './errors';
export { HOST_SETTINGS } from './host-settings';
export type { HostSettingName, HostSettingSpec } from './host-settings';
export { SYSCTL_DIRS, orderSysctlFiles, resolveSysctl } from './sysctl-order';
export type { SysctlFile, SysctlAssignment, SysctlResolution } from './sysctl-order';
export { resolveNofile, nofileLines } from './limits-order';
export type { LimitsSubject, LimitLine, NofileLimits } from './limits-order';
