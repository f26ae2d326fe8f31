import type { ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';

/**
 * Remembers every redis-server process and temp dir LocalCluster owns, so they are killed and
 * removed when this Node process exits (normally, on an uncaught error, or on SIGINT/SIGTERM),
 * even if the caller forgot stop(). A signal the program listens to itself is left to it: the
 * nodes live on until the process exits (so a graceful abort can still use them), then die.
 */
const processes = new Set<ChildProcess>();
const dirs = new Set<string>();
let installed = false;

export function trackProcess(child: ChildProcess): void {
  install();
  processes.add(child);
  child.once('exit', () => processes.delete(child));
}

export function untrackProcess(child: ChildProcess): void {
  processes.delete(child);
}

export function trackDir(dir: string): void {
  install();
  dirs.add(dir);
}

export function untrackDir(dir: string): void {
  dirs.delete(dir);
}

function cleanupNow(): void {
  for (const child of processes) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
  processes.clear();
  for (const dir of dirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort at exit
    }
  }
  dirs.clear();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.once('exit', cleanupNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      // The embedding program handles this signal (a graceful abort, say): leave the nodes
      // running for it; they are killed when the process exits, whichever way it does.
      if (process.listenerCount(signal) > 1) return;
      // Nobody else does: Node would have exited on it. Clean up and exit as the signal would.
      process.removeListener(signal, onSignal);
      cleanupNow();
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}
