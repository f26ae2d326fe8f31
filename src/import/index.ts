// Public names of the import domain (Importer, importData), re-exported by src/index.ts.
export { Importer, importData } from './importer';
export type { ImportResult } from './importer';
export { DEFAULT_IMPORT_OPTIONS } from './import-options';
export type { ImportOptions, ImportCursor, ImportSource } from './import-options';
export type { ImporterEvents, ImportProgressEvent, ImportRetryEvent } from './import-events';
export { ImportAbortedError, ImportConflictError, ImportFailedError } from './errors';
