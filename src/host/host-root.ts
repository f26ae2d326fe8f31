import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, posix } from 'node:path';

/**
 * Reads a host's tree under a root prefix (`/` on the host itself, a directory holding a copy of
 * one in tests). Symlinks are followed inside the root: an absolute target such as
 * `/etc/sysctl.conf` means `ROOT/etc/sysctl.conf`, never this machine's file.
 */
export class HostRoot {
  constructor(readonly root: string) {}

  /** The path on this machine of a host path, without following links. */
  path(hostPath: string): string {
    return join(this.root, hostPath);
  }

  /** The host path a host path ends at after following every symlink (at most 16 hops). */
  resolve(hostPath: string): string {
    let current = posix.normalize(hostPath);
    for (let hop = 0; hop < 16; hop++) {
      const parts = current.split('/').filter((part) => part !== '');
      let resolved = '/';
      let followed = false;
      for (let i = 0; i < parts.length; i++) {
        const next = posix.join(resolved, parts[i] as string);
        let target: string | undefined;
        try {
          if (lstatSync(this.path(next)).isSymbolicLink()) target = readlinkSync(this.path(next));
        } catch {
          target = undefined;
        }
        if (target === undefined) {
          resolved = next;
          continue;
        }
        const base = target.startsWith('/') ? target : posix.join(posix.dirname(next), target);
        current = posix.join(base, ...parts.slice(i + 1));
        followed = true;
        break;
      }
      if (!followed) return resolved;
    }
    return current;
  }

  /** The text of a host file (links followed inside the root), or undefined when absent. */
  read(hostPath: string): string | undefined {
    try {
      return readFileSync(this.path(this.resolve(hostPath)), 'utf8');
    } catch {
      return undefined;
    }
  }

  /** File names in a host directory (sorted), or [] when it does not exist. */
  list(hostDir: string): string[] {
    try {
      return readdirSync(this.path(this.resolve(hostDir))).sort();
    } catch {
      return [];
    }
  }

  /** Whether a host path is executable by its owner (rc.local must be). */
  executable(hostPath: string): boolean {
    try {
      return (lstatSync(this.path(this.resolve(hostPath))).mode & 0o100) !== 0;
    } catch {
      return false;
    }
  }
}
