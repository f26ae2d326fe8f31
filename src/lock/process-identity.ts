import { readFileSync, readlinkSync } from 'node:fs';
import type { LeaseHolder } from './lease-store';

let cached: string | null | undefined;

/** Tokens of the leases this process holds right now (every OperationLock of the process). */
const liveTokens = new Set<string>();

export function trackLiveToken(token: string, live: boolean): void {
  if (live) liveTokens.add(token);
  else liveTokens.delete(token);
}

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
 * True only when nobody can be using the lease any more: its holder has the same boot and PID
 * namespace as this process, and either no process has its PID, or it is this process and no
 * operation of ours holds that token (its release failed, e.g. the lease master died at the end of
 * an operation). A reused PID, another machine or a missing key all answer false (then only the
 * lease's expiry or breakLock() frees it).
 */
export function holderIsGone(holder: LeaseHolder, token: string): boolean {
  const mine = processKey();
  if (mine === undefined || holder.processKey !== mine || holder.pid <= 0) return false;
  if (holder.pid === process.pid) return !liveTokens.has(token);
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
