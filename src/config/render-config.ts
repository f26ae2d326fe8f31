import { OPTION_CATALOG, nameForVersion } from './option-catalog';
import type { ConfigDocument } from './parse-config';

/** Renders a ConfigDocument as redis.conf text for a target version (slave-* names before 5.0). */
export function renderDocument(document: ConfigDocument, version: string, header: string): string {
  const lines: string[] = [`# ${header}`, '# Rendered by redis-cluster-ops ConfigRenderer. Edit the profile or overrides, not this file.'];
  for (const path of document.includes) lines.push(`include ${quoteConfigValue(path)}`);
  for (const [name, value] of Object.entries(document.settings)) {
    const directive = nameForVersion(name, version);
    if (name === 'save') {
      if (value === '') lines.push('save ""');
      else {
        const parts = value.split(' ');
        for (let i = 0; i + 1 < parts.length; i += 2) lines.push(`save ${parts[i]} ${parts[i + 1]}`);
      }
      continue;
    }
    const kind = OPTION_CATALOG[name]?.kind;
    lines.push(`${directive} ${kind === 'words' ? value : quoteConfigValue(value, name === 'appendfilename')}`);
  }
  for (const [command, renamed] of Object.entries(document.renames)) lines.push(`rename-command ${command} ${quoteConfigValue(renamed)}`);
  return `${lines.join('\n')}\n`;
}

/**
 * One redis.conf argument, quoted when it must be (empty, whitespace, quotes, backslashes) the way
 * every Redis version's config parser (sdssplitargs) reads it back: in double quotes, with `\\` and
 * `\"` escaped. Other bytes (non-ASCII paths) go in as they are.
 */
export function quoteConfigValue(value: string, always = false): string {
  return always || value === '' || /[\s"'\\]/.test(value) ? `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : value;
}
