import { OPTION_CATALOG, nameForVersion } from './option-catalog';
import type { ConfigDocument } from './parse-config';

/** Renders a ConfigDocument as redis.conf text for a target version (slave-* names before 5.0). */
export function renderDocument(document: ConfigDocument, version: string, header: string): string {
  const lines: string[] = [`# ${header}`, '# Rendered by redis-cluster-ops ConfigRenderer. Edit the profile or overrides, not this file.'];
  for (const path of document.includes) lines.push(`include ${path}`);
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
    lines.push(`${directive} ${kind === 'words' ? value : quoteIfNeeded(value, name === 'appendfilename')}`);
  }
  for (const [command, renamed] of Object.entries(document.renames)) lines.push(`rename-command ${command} ${quoteIfNeeded(renamed, false)}`);
  return `${lines.join('\n')}\n`;
}

function quoteIfNeeded(value: string, always: boolean): string {
  return always || value === '' || /[\s"'\\]/.test(value) ? `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : value;
}
