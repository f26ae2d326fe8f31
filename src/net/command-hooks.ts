import type { CommandArg } from './node-client';

/**
 * Runs before a command (or each command of a pipeline) is written to a node. A hook may throw to
 * stop the command from being sent (fencing uses this), or wait (test harnesses stop a process at
 * an exact protocol step). Hooks see the arguments as they will be sent: never log them, since
 * AUTH / MIGRATE AUTH arguments carry secrets.
 */
export type CommandHook = (node: string, commands: readonly (readonly CommandArg[])[]) => void | Promise<void>;

/**
 * A synchronous check run at the last moment: after the connection is ready, in the same turn of
 * the event loop as the write to the socket. A hook may wait (for a connection, a lease), and a
 * process may be paused while it waits; a check throws for what changed meanwhile (fencing: a lease
 * that ran out), so no command goes out on a decision taken before the pause.
 */
export type CommandCheck = (node: string, commands: readonly (readonly CommandArg[])[]) => void;

/** The hooks of one NodePool, shared by all its clients. */
export class CommandHooks {
  private readonly hooks: CommandHook[] = [];
  private readonly checks: CommandCheck[] = [];

  /** Adds a hook (and optionally its last-moment check); returns the function that removes both. */
  add(hook: CommandHook, check?: CommandCheck): () => void {
    this.hooks.push(hook);
    if (check !== undefined) this.checks.push(check);
    return () => {
      remove(this.hooks, hook);
      if (check !== undefined) remove(this.checks, check);
    };
  }

  get isEmpty(): boolean {
    return this.hooks.length === 0;
  }

  async run(node: string, commands: readonly (readonly CommandArg[])[]): Promise<void> {
    for (const hook of [...this.hooks]) await hook(node, commands);
  }

  /** Runs the last-moment checks; synchronous, so nothing can happen between them and the write. */
  check(node: string, commands: readonly (readonly CommandArg[])[]): void {
    for (const check of this.checks) check(node, commands);
  }
}

function remove<T>(list: T[], item: T): void {
  const index = list.indexOf(item);
  if (index >= 0) list.splice(index, 1);
}
