import { SLOT_COUNT } from '../model/key-slot';
import { digest } from './cluster-fingerprint';
import type { CreatePlan, PlannedMaster, PlannedReplica } from './create-plan';
import { PlanReader } from './plan-reader';

/** The id of a create plan: a digest of its masters (address, slots) and replicas (address, master), in order. */
export function createPlanId(masters: readonly PlannedMaster[], replicas: readonly PlannedReplica[]): string {
  return digest([masters.map((master) => [master.address, master.slots]), replicas.map((replica) => [replica.address, replica.of])]);
}

/**
 * Pure: reads a create plan from JSON text or a parsed object and checks it: at least 3 masters,
 * every address once, the masters' slots cover 0-16383 exactly once, each replica follows a
 * planned master, the counts and the anti-affinity flag match, and `id` is the digest of the
 * placement. Returns a fresh copy; throws InvalidPlanError naming the field.
 */
export function parseCreatePlan(input: unknown): CreatePlan {
  const read = new PlanReader('create');
  const plan = read.root(input);
  const addresses = new Set<string>();
  const unique = (address: string, field: string): string => {
    if (addresses.has(address)) read.fail(field, `(${address}) is listed twice`);
    addresses.add(address);
    return address;
  };
  const covered = new Set<number>();
  const masters: PlannedMaster[] = read.array(plan.masters, 'plan.masters').map((value, index) => {
    const field = `plan.masters[${index}]`;
    const master = read.object(value, field);
    const slots = read.slots(master.slots, `${field}.slots`);
    const slotCount = read.integer(master.slotCount, `${field}.slotCount`, 1);
    if (slotCount !== slots.size) read.fail(`${field}.slotCount`, `is ${slotCount}, but ${field}.slots holds ${slots.size} slot(s)`);
    for (const slot of slots) {
      if (covered.has(slot)) read.fail(`${field}.slots`, `gives slot ${slot} to a second master`);
      covered.add(slot);
    }
    return { address: unique(read.address(master.address, `${field}.address`), `${field}.address`), host: read.string(master.host, `${field}.host`), slots: slots.toString(), slotCount };
  });
  if (masters.length < 3) read.fail('plan.masters', `holds ${masters.length} master(s); a cluster needs at least 3`);
  if (covered.size !== SLOT_COUNT) read.fail('plan.masters', `cover ${covered.size} of the ${SLOT_COUNT} slots`);
  const masterAddresses = new Set(masters.map((master) => master.address));
  const replicas: PlannedReplica[] = read.array(plan.replicas, 'plan.replicas').map((value, index) => {
    const field = `plan.replicas[${index}]`;
    const replica = read.object(value, field);
    const of = read.address(replica.of, `${field}.of`);
    if (!masterAddresses.has(of)) read.fail(`${field}.of`, `(${of}) is not a planned master`);
    return { address: unique(read.address(replica.address, `${field}.address`), `${field}.address`), host: read.string(replica.host, `${field}.host`), of };
  });
  const hostOf = new Map(masters.map((master) => [master.address, master.host]));
  const violations = replicas.filter((replica) => hostOf.get(replica.of) === replica.host).map((replica) => ({ master: replica.of, replica: replica.address, host: replica.host }));
  const antiAffinity = read.boolean(plan.antiAffinity, 'plan.antiAffinity');
  if (antiAffinity !== (violations.length === 0)) read.fail('plan.antiAffinity', `is ${antiAffinity}, but ${violations.length} replica(s) share a host with their master`);
  const warnings = plan.warnings === undefined ? [] : read.strings(plan.warnings, 'plan.warnings');
  const id = read.id(plan.id, createPlanId(masters, replicas));
  return { kind: 'create', id, masters, replicas, antiAffinity, violations, warnings };
}
