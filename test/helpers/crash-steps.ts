import type { CommandArg } from '../../src/net/node-client';

/** The protocol steps of a slot move, as the command hooks see them. */
export type StepKind = 'setslot-importing' | 'setslot-migrating' | 'migrate' | 'setslot-node-target' | 'setslot-node-source' | 'setslot-node-other';

export interface ProtocolStep {
  index: number;
  kind: StepKind;
  /** The address the step went to. */
  node: string;
}

/** The addresses of the move's two ends, to tell SETSLOT NODE on the target, the source and the others apart. */
export interface MoveEnds {
  source: string;
  target: string;
}

const upper = (arg: CommandArg | undefined): string => (arg === undefined ? '' : Buffer.isBuffer(arg) ? arg.toString() : String(arg)).toUpperCase();

/** Which protocol step a hook call is (one call = one command or one pipeline), or undefined for reads. */
export function classifyStep(node: string, commands: readonly (readonly CommandArg[])[], ends: MoveEnds): StepKind | undefined {
  for (const command of commands) {
    const name = upper(command[0]);
    if (name === 'MIGRATE') return 'migrate';
    if (name !== 'CLUSTER' || upper(command[1]) !== 'SETSLOT') continue;
    const state = upper(command[3]);
    if (state === 'IMPORTING') return 'setslot-importing';
    if (state === 'MIGRATING') return 'setslot-migrating';
    if (state === 'NODE') return node === ends.target ? 'setslot-node-target' : node === ends.source ? 'setslot-node-source' : 'setslot-node-other';
  }
  return undefined;
}

/**
 * A command hook that counts protocol steps and, on the first command of any kind sent once
 * `after` steps have gone out, runs `crash` (once) before letting that command through: the
 * cluster is then exactly as the first `after` steps left it (give or take a step still in flight
 * beside it). `after` = 0 never fires.
 */
export function crashAfterStep(after: number, ends: MoveEnds, crash: (last: ProtocolStep) => void | Promise<void>): {
  hook: (node: string, commands: readonly (readonly CommandArg[])[]) => Promise<void>;
  steps: ProtocolStep[];
  fired: () => boolean;
} {
  const steps: ProtocolStep[] = [];
  let fired = false;
  const hook = async (node: string, commands: readonly (readonly CommandArg[])[]): Promise<void> => {
    if (!fired && after > 0 && steps.length >= after) {
      fired = true;
      await crash(steps[after - 1] as ProtocolStep);
    }
    const kind = classifyStep(node, commands, ends);
    if (kind !== undefined) steps.push({ index: steps.length + 1, kind, node });
  };
  return { hook, steps, fired: () => fired };
}

/**
 * The points worth a (slow) node crash in CI: the last step of each kind, except MIGRATE, where
 * the first batch is taken (keys then sit on both sides). So: after the slots' IMPORTING,
 * MIGRATING, the first MIGRATE batch, and SETSLOT NODE on target, source and others. The
 * randomized sweep and the process-kill cases use every step.
 */
export function distinctPoints(steps: readonly ProtocolStep[]): number[] {
  const points = new Map<StepKind, number>();
  for (const step of steps) if (step.kind !== 'migrate' || !points.has('migrate')) points.set(step.kind, step.index);
  return [...points.values()].sort((a, b) => a - b);
}

export function describeStep(step: ProtocolStep): string {
  return `step ${step.index} (${step.kind} on ${step.node})`;
}
