import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { PlanError } from '../errors';

/** Records which slots of a plan are done, so execute(plan) after a crash skips them. */
export interface MigrationJournal {
  /** Slots already done for this plan id. */
  load(planId: string): Promise<Set<number>>;
  /** Records that these slots are done (called after SETSLOT NODE reached every master). */
  record(planId: string, slots: readonly number[]): Promise<void>;
  /**
   * Records slots about to be opened (called before IMPORTING / MIGRATING is sent), so a later execute(plan)
   * knows those marks as its own. A journal without it makes every mark left by a crash count as foreign
   * (the run refuses and asks for fix()).
   */
  recordOpened?(planId: string, slots: readonly number[]): Promise<void>;
  /** Slots this plan's runs opened (see recordOpened). */
  loadOpened?(planId: string): Promise<Set<number>>;
}

/** In-memory journal: survives aborts within one process, not a crash. */
export class MemoryJournal implements MigrationJournal {
  private readonly done = new Map<string, Set<number>>();
  private readonly opened = new Map<string, Set<number>>();

  async load(planId: string): Promise<Set<number>> {
    return new Set(this.done.get(planId) ?? []);
  }

  async record(planId: string, slots: readonly number[]): Promise<void> {
    const set = this.done.get(planId) ?? new Set<number>();
    for (const slot of slots) set.add(slot);
    this.done.set(planId, set);
  }

  async recordOpened(planId: string, slots: readonly number[]): Promise<void> {
    const set = this.opened.get(planId) ?? new Set<number>();
    for (const slot of slots) set.add(slot);
    this.opened.set(planId, set);
  }

  async loadOpened(planId: string): Promise<Set<number>> {
    return new Set(this.opened.get(planId) ?? []);
  }
}

/**
 * JSON-lines file journal: one `{"plan":"id","done":[slots]}` line per finished batch and one
 * `{"plan":"id","opened":[slots]}` line before each round is opened, appended synchronously so a SIGKILL
 * loses at most the batch in flight (which the cluster itself then tells).
 */
export class FileJournal implements MigrationJournal {
  constructor(readonly path: string) {}

  async load(planId: string): Promise<Set<number>> {
    return this.read(planId, 'done');
  }

  async loadOpened(planId: string): Promise<Set<number>> {
    return this.read(planId, 'opened');
  }

  async recordOpened(planId: string, slots: readonly number[]): Promise<void> {
    if (slots.length > 0) appendFileSync(this.path, `${JSON.stringify({ plan: planId, opened: slots })}\n`);
  }

  private read(planId: string, field: 'done' | 'opened'): Set<number> {
    const done = new Set<number>();
    if (!existsSync(this.path)) return done;
    const lines = readFileSync(this.path, 'utf8').split('\n');
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      let entry: { plan?: unknown; done?: unknown; opened?: unknown };
      try {
        entry = JSON.parse(line) as { plan?: unknown; done?: unknown; opened?: unknown };
      } catch {
        // The last line may be cut short by a crash mid-write: ignore it; anything else is corruption.
        if (index >= lines.length - 2) return;
        throw new PlanError(`Journal ${this.path} line ${index + 1} is not JSON. Remove the file to start over (the cluster itself shows what moved).`, { path: this.path, line: index + 1 });
      }
      const slots = entry[field];
      if (entry.plan === planId && Array.isArray(slots)) for (const slot of slots) if (typeof slot === 'number') done.add(slot);
    });
    return done;
  }

  async record(planId: string, slots: readonly number[]): Promise<void> {
    if (slots.length > 0) appendFileSync(this.path, `${JSON.stringify({ plan: planId, done: slots })}\n`);
  }
}
