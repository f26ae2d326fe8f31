import { MalformedReplyError } from '../errors';

/** Parses an INFO or CLUSTER INFO reply (`key:value` lines, `# Section` headers) into a flat record. */
export function parseInfo(text: string, what = 'INFO reply'): Record<string, string> {
  if (typeof text !== 'string') throw new MalformedReplyError(what, `expected text, got ${typeof text}`);
  const result: Record<string, string> = {};
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MalformedReplyError(what, 'expected key:value', line);
    result[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return result;
}

/** Parses INFO's `k=v,k=v` values (e.g. `slave0:ip=...,port=...`). */
export function parseInfoFields(value: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) result[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return result;
}

/** Reads a numeric INFO field, or undefined when absent. */
export function infoNumber(info: Record<string, string>, key: string): number | undefined {
  const value = info[key];
  if (value === undefined) return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}
