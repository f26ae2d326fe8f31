import { ConfigValidationError } from './errors';
import { canonicalName } from './option-catalog';

/** A redis.conf as data: include lines, directives (catalog names, tokens joined by one space), renamed commands. */
export interface ConfigDocument {
  includes: string[];
  settings: Record<string, string>;
  /** rename-command: command -> new name ('' disables it). */
  renames: Record<string, string>;
}

/**
 * Parses redis.conf text: comments, `include`, quoted values ("..." with escapes, '...'),
 * repeated `save` lines (merged), `rename-command`, and slave-* names (read as replica-*).
 */
export function parseConfig(text: string): ConfigDocument {
  const document: ConfigDocument = { includes: [], settings: {}, renames: {} };
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const tokens = tokenize(line, index + 1);
    const [first, ...args] = tokens;
    if (first === undefined) return;
    const name = canonicalName(first);
    if (name === 'include') document.includes.push(args.join(' '));
    else if (name === 'rename-command') document.renames[(args[0] ?? '').toUpperCase()] = args[1] ?? '';
    else if (name === 'save') {
      const value = args.join(' ');
      const previous = document.settings.save;
      document.settings.save = previous === undefined || previous === '' || value === '' ? value : `${previous} ${value}`;
    } else document.settings[name] = args.join(' ');
  });
  return document;
}

/** Splits a config line into arguments as Redis does (sdssplitargs): quotes, escapes. */
export function tokenize(line: string, lineNumber = 1): string[] {
  const tokens: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (i < line.length && /\s/.test(line[i] as string)) i++;
    if (i >= line.length) break;
    let token = '';
    const quote = line[i] === '"' || line[i] === "'" ? (line[i] as string) : undefined;
    if (quote !== undefined) {
      i++;
      for (;;) {
        if (i >= line.length) throw new ConfigValidationError('unbalanced-quotes', line.split(/\s/)[0] ?? '', line, `line ${lineNumber} has an unclosed quote`);
        const char = line[i] as string;
        if (quote === '"' && char === '\\' && i + 1 < line.length) {
          const next = line[i + 1] as string;
          token += next === 'n' ? '\n' : next === 'r' ? '\r' : next === 't' ? '\t' : next;
          i += 2;
        } else if (char === quote) {
          i++;
          break;
        } else {
          token += char;
          i++;
        }
      }
    } else {
      while (i < line.length && !/\s/.test(line[i] as string)) token += line[i++];
    }
    tokens.push(token);
  }
  return tokens;
}
