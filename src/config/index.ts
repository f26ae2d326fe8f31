// Public names of the config domain (ConfigRenderer), re-exported by src/index.ts.
export { ConfigRenderer, DEFAULT_CONFIG_RENDERER_OPTIONS } from './config-renderer';
export type { ConfigRendererOptions, RenderRequest, RenderedConfig } from './config-renderer';
export { ConfigValidationError } from './errors';
export { parseConfig, tokenize } from './parse-config';
export type { ConfigDocument } from './parse-config';
export { PROFILES, DEFAULT_PROFILE, HIGH_LOAD_PROFILE, QUEUE_PROFILE, PROFILE_REASONS } from './profiles';
export type { ProfileName } from './profiles';
export { OPTION_CATALOG, parseMemory } from './option-catalog';
export type { OptionSpec, OptionKind } from './option-catalog';
export { renderServiceFiles } from './service-files';
export type { ServiceFilesRequest } from './service-files';
