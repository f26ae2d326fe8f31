import { ClusterOpsError } from '../errors';

/** apply() may not write a file it must change (not root, read-only mount). Nothing was written. */
export class HostTunerPermissionError extends ClusterOpsError {
  readonly path: string;

  constructor(path: string, reason: string) {
    super('ERR_HOST_PERMISSION', `HostTuner cannot write ${path} (${reason}); nothing was changed. Run apply() as root (sudo), or use dryRun to print the edits and commands.`, {
      details: { path },
    });
    this.path = path;
  }
}
