import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** A relative import (or re-export) of one source file, type-only or not. */
export interface SourceImport {
  from: string;
  to: string;
  typeOnly: boolean;
}

const IMPORT = /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?['"](\.{1,2}\/[^'"]+)['"]/g;

/** Every `.ts` file under `dir`, as paths relative to `root`. */
export function sourceFiles(root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(root, path);
    return entry.name.endsWith('.ts') ? [relative(root, path)] : [];
  });
}

/** The relative imports of every file under `root`, resolved to file paths relative to `root`. */
export function readImports(root: string): SourceImport[] {
  const files = new Set(sourceFiles(root));
  const imports: SourceImport[] = [];
  for (const file of files) {
    const text = readFileSync(join(root, file), 'utf8');
    for (const match of text.matchAll(IMPORT)) {
      const specifier = match[3] as string;
      const base = relative(root, resolve(root, dirname(file), specifier)).replace(/\.js$/, '');
      const target = [`${base}.ts`, `${base}/index.ts`].find((candidate) => files.has(candidate));
      if (target === undefined) throw new Error(`${file}: cannot resolve import '${specifier}'`);
      imports.push({ from: file, to: target, typeOnly: match[2] !== undefined });
    }
  }
  return imports;
}

/** Every cycle of a directed graph, each once, as the list of its nodes (Tarjan's strongly connected components). */
export function findCycles(edges: readonly (readonly [string, string])[]): string[][] {
  const graph = new Map<string, string[]>();
  for (const [from, to] of edges) {
    if (!graph.has(to)) graph.set(to, []);
    const next = graph.get(from) ?? [];
    next.push(to);
    graph.set(from, next);
  }
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) as number, low.get(next) as number));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) as number, index.get(next) as number));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
        onStack.delete(member);
        component.push(member);
        if (member === node) break;
      }
      const selfLoop = (graph.get(node) ?? []).includes(node);
      if (component.length > 1 || selfLoop) cycles.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return cycles;
}

/** The top-level folder of a source file: `topology/repair/fix-cluster.ts` -> `topology`; `errors.ts` -> `.`. */
export function domainOf(file: string): string {
  const slash = file.indexOf('/');
  return slash === -1 ? '.' : file.slice(0, slash);
}
