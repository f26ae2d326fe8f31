import type { ConflictPolicy } from '../../slot-move/key-move-options';

export interface FixOptions {
  /**
   * A key found on two masters with different values: stop and name it ('fail'), or let the copy
   * being moved overwrite the owner's ('replace'). Identical copies are merged either way.
   * @defaultValue 'fail'
   */
  onConflict?: ConflictPolicy;
  /**
   * Slots whose keys move at the same time (each slot's own steps stay in order).
   * @defaultValue 4
   */
  concurrentSlots?: number;
  signal?: AbortSignal;
}

export const DEFAULT_FIX_OPTIONS = Object.freeze({ onConflict: 'fail' as ConflictPolicy, concurrentSlots: 4 } as const);
