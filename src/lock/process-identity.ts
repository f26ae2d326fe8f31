import { readFileSync, readlinkSync } from 'node:fs';
import type { LeaseHolder } from './lease-store';

let cached: string | null | undefined;

/**
 * This process's boot id and PID namespace (`<boot-id>/pid:[<inode>]`), or undefined where they
 * cannot be read (not Linux). Two processes with the same key see the same PIDs, so one can tell
 * whether the other's PID is still alive.
 */
export function processKey(): string | undefined {
  if (cached === undefined) {
    try {
      cached = `${readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()}/${readlinkSync('/proc/self/ns/pid')}`;
    } catch {
      cached = null;
    }
  }
  return cached ?? undefined;
}

/**
 * True only when the holder certainly no longer runs: same boot and PID namespace as this
 * process, and no process with its PID. A reused PID, another machine or a missing key all
 * answer false (then only the lease's expiry or breakLock() frees it).
 */
export function holderIsDead(holder: LeaseHolder): boolean {
  const mine = processKey();
  if (mine === undefined || holder.processKey !== mine || holder.pid <= 0 || holder.pid === process.pid) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
