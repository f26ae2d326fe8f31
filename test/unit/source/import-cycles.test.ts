import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { domainOf, findCycles, readImports, sourceFiles } from './import-graph';

const SRC = resolve(__dirname, '../../../src');
// src/index.ts is the public face: it re-exports every domain, so it stands outside the graph.
const imports = readImports(SRC).filter((entry) => entry.from !== 'index.ts');

describe('source imports', () => {
  it('finds cycles in a graph, including a self-import and a cycle through three nodes', () => {
    expect(findCycles([['a', 'b'], ['b', 'c'], ['c', 'a'], ['c', 'd'], ['e', 'e']])).toEqual([['a', 'b', 'c'], ['e']]);
    expect(findCycles([['a', 'b'], ['b', 'c'], ['a', 'c']])).toEqual([]);
  });

  it('has no import cycle between files', () => {
    const runtime = imports.filter((entry) => !entry.typeOnly).map((entry) => [entry.from, entry.to] as const);
    expect(findCycles(runtime)).toEqual([]);
  });

  it('has no import cycle between src/ folders (type imports included: layers only point down)', () => {
    const across = imports.filter((entry) => domainOf(entry.from) !== domainOf(entry.to));
    const cycles = findCycles(across.map((entry) => [domainOf(entry.from), domainOf(entry.to)] as const));
    const explain = cycles.map((cycle) =>
      across.filter((entry) => cycle.includes(domainOf(entry.from)) && cycle.includes(domainOf(entry.to))).map((entry) => `${entry.from} -> ${entry.to}`),
    );
    expect(explain).toEqual([]);
  });

  it('imports eventemitter3 by its named export (a default import breaks node16/nodenext consumers)', () => {
    const offenders = sourceFiles(SRC).filter((file) => /import\s+(type\s+)?[A-Za-z_$][\w$]*\s+from\s+['"]eventemitter3['"]/.test(readFileSync(join(SRC, file), 'utf8')));
    expect(offenders).toEqual([]);
  });
});
