/** Replaces every occurrence of the given secrets in a text with `***`. */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret !== undefined && secret.length > 0) result = result.split(secret).join('***');
  }
  return result;
}

/** A command name fit for errors and events: the name and subcommand only, never arguments. */
export function describeCommand(args: readonly (string | number | Buffer)[]): string {
  const [name, sub] = args;
  const upper = String(name ?? '').toUpperCase();
  const hasSub = ['CLUSTER', 'CONFIG', 'CLIENT', 'ACL', 'MEMORY', 'OBJECT', 'DEBUG', 'SCRIPT'].includes(upper);
  return hasSub && sub !== undefined ? `${upper} ${String(sub).toUpperCase()}` : upper;
}
