/**
 * An emitter's `emit`, typed by its event map: the one way inner operations (runFailover,
 * replaceNode, fixCluster...) report to the class that runs them, instead of positional
 * callbacks. Pass a narrower map (`Pick<Events, ...>`) to say which events an operation emits.
 */
export type Emit<Events> = <K extends keyof Events & string>(event: K, ...args: Events[K] extends (...args: infer A) => void ? A : never) => void;

/** The typed emit of an eventemitter3 emitter, for inner operations. */
export function emitterOf<Events>(emitter: object): Emit<Events> {
  const target = emitter as { emit: (event: string, ...args: unknown[]) => boolean };
  return (event, ...args) => {
    target.emit(event, ...(args as unknown[]));
  };
}
