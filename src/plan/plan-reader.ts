import { ClusterOpsError } from '../errors';
import { SlotSet } from '../model/slot-set';
import { InvalidPlanError } from './plan-errors';

/**
 * Field-by-field reading of a plan that came from JSON: every reader names the field it refuses
 * (`plan.moves[2].slots`), so a hand-edited or truncated plan fails with an InvalidPlanError
 * instead of a TypeError deep inside an executor. Pure.
 */
export class PlanReader {
  constructor(readonly kind: string) {}

  /** The plan object: a JSON text is parsed first. */
  root(input: unknown): Record<string, unknown> {
    let value = input;
    if (typeof input === 'string') {
      try {
        value = JSON.parse(input) as unknown;
      } catch (error) {
        throw new InvalidPlanError(this.kind, 'plan', `is not JSON (${error instanceof Error ? error.message : String(error)})`);
      }
    }
    const plan = this.object(value, 'plan');
    if (plan.kind !== this.kind) throw new InvalidPlanError(this.kind, 'plan.kind', `is ${JSON.stringify(plan.kind)}, not "${this.kind}"`, 'Pass the plan to the parse function of its kind.');
    return plan;
  }

  object(value: unknown, field: string): Record<string, unknown> {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new InvalidPlanError(this.kind, field, 'is not an object');
    return value as Record<string, unknown>;
  }

  array(value: unknown, field: string): unknown[] {
    if (!Array.isArray(value)) throw new InvalidPlanError(this.kind, field, 'is not an array');
    return value;
  }

  string(value: unknown, field: string): string {
    if (typeof value !== 'string' || value.length === 0) throw new InvalidPlanError(this.kind, field, 'is not a non-empty string');
    return value;
  }

  /** A cluster node id: 40 characters (hex digits on a real server). */
  nodeId(value: unknown, field: string): string {
    if (typeof value !== 'string' || !/^[0-9a-zA-Z]{40}$/.test(value)) throw new InvalidPlanError(this.kind, field, `is ${describe(value)}, not a node id (40 characters, as CLUSTER NODES lists it)`);
    return value;
  }

  /** A `host:port` address. */
  address(value: unknown, field: string): string {
    if (typeof value !== 'string' || !/^\S+:\d{1,5}$/.test(value)) throw new InvalidPlanError(this.kind, field, `is ${describe(value)}, not a host:port address`);
    return value;
  }

  integer(value: unknown, field: string, min = 0): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw new InvalidPlanError(this.kind, field, `is ${describe(value)}, not a whole number >= ${min}`);
    return value;
  }

  boolean(value: unknown, field: string): boolean {
    if (typeof value !== 'boolean') throw new InvalidPlanError(this.kind, field, `is ${describe(value)}, not true or false`);
    return value;
  }

  oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) throw new InvalidPlanError(this.kind, field, `is ${describe(value)}, not one of ${allowed.join(', ')}`);
    return value as T;
  }

  strings(value: unknown, field: string): string[] {
    return this.array(value, field).map((item, index) => {
      if (typeof item !== 'string') throw new InvalidPlanError(this.kind, `${field}[${index}]`, 'is not a string');
      return item;
    });
  }

  /** A record of string values, e.g. node id -> address. */
  stringRecord(value: unknown, field: string): Record<string, string> {
    const record = this.object(value, field);
    const copy: Record<string, string> = {};
    for (const [key, entry] of Object.entries(record)) copy[key] = this.string(entry, `${field}.${key}`);
    return copy;
  }

  /** A record of whole numbers, e.g. host -> masters. */
  countRecord(value: unknown, field: string): Record<string, number> {
    const record = this.object(value, field);
    const copy: Record<string, number> = {};
    for (const [key, entry] of Object.entries(record)) copy[key] = this.integer(entry, `${field}.${key}`);
    return copy;
  }

  /** Slots in CLUSTER NODES form ("0-99 200"), each within 0-16383. */
  slots(value: unknown, field: string): SlotSet {
    if (typeof value !== 'string') throw new InvalidPlanError(this.kind, field, `is ${describe(value)}, not slots like "0-99 200"`);
    try {
      return SlotSet.parse(value, field);
    } catch (error) {
      if (error instanceof ClusterOpsError) throw new InvalidPlanError(this.kind, field, `holds ${JSON.stringify(value.slice(0, 60))}, not slots within 0-16383`);
      throw error;
    }
  }

  /** The integrity check: `id` must be the digest of the plan's content. */
  id(value: unknown, expected: string): string {
    const id = this.string(value, 'plan.id');
    if (id !== expected) throw new InvalidPlanError(this.kind, 'plan.id', `(${JSON.stringify(id.slice(0, 40))}) does not match the plan's content (digest ${expected}): the plan was edited or damaged`);
    return id;
  }

  fail(field: string, problem: string): never {
    throw new InvalidPlanError(this.kind, field, problem);
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 60)}...` : text;
}
