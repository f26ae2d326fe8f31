import type { CommandArg } from './node-client';

/**
 * Runs before a command (or each command of a pipeline) is written to a node. A hook may throw to
 * stop the command from being sent (fencing uses this), or wait (test harnesses stop a process at
 * an exact protocol step). Hooks see the arguments as they will be sent: never log them, since
 * AUTH / MIGRATE AUTH arguments carry secrets.
 */
export type CommandHook = (node: string, commands: readonly (readonly CommandArg[])[]) => void | Promise<void>;

/** The hooks of one NodePool, shared by all its clients. */
export class CommandHooks {
  private readonly hooks: CommandHook[] = [];

  /** Adds a hook; returns the function that removes it. */
  add(hook: CommandHook): () => void {
    this.hooks.push(hook);
    return () => {
      const index = this.hooks.indexOf(hook);
      if (index >= 0) this.hooks.splice(index, 1);
    };
  }

  get isEmpty(): boolean {
    return this.hooks.length === 0;
  }

  async run(node: string, commands: readonly (readonly CommandArg[])[]): Promise<void> {
    for (const hook of [...this.hooks]) await hook(node, commands);
  }
}
