import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../../..');
const OUT = join(ROOT, '.tmp', 'doc-snippets');
/** Put `<!-- snippet: partial -->` on the line before a fence to skip a deliberately partial snippet. */
const OPT_OUT = '<!-- snippet: partial -->';

interface Snippet {
  doc: string;
  line: number;
  code: string;
}

/** Every ```ts block of README.md and docs/*.md, with the line its code starts on. */
export function extractSnippets(doc: string, text: string): { snippets: Snippet[]; skipped: number } {
  const lines = text.split('\n');
  const snippets: Snippet[] = [];
  let skipped = 0;
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(ts|typescript)\s*$/.test(lines[i] as string)) continue;
    const end = lines.findIndex((line, j) => j > i && line.startsWith('```'));
    if (end === -1) throw new Error(`${doc}:${i + 1}: unclosed code fence`);
    if ((lines[i - 1] ?? '').trim() === OPT_OUT) skipped += 1;
    else snippets.push({ doc, line: i + 2, code: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return { snippets, skipped };
}

/**
 * What the docs' snippets may take as given (the context a reader has): a topology, node ids,
 * addresses... Any other name a snippet uses must be imported or declared in the snippet itself.
 */
const GIVEN = `import type { ClusterTopology, ImportCursor, NodeAddress, Seed } from 'redis-cluster-ops';
declare global {
  const topology: ClusterTopology;
  const nodes: NodeAddress[];
  const seeds: Seed[];
  const password: string;
  const nodeId: string, replicaId: string, deadMasterId: string, deadNodeId: string, sourceId: string, targetId: string, bigId: string, newMasterId: string, otherMasterId: string;
  const ports: number[];
  const baseDir: string;
  const text: string;
  const signal: AbortSignal;
  const resumeFrom: ImportCursor;
  const redisPid: number;
  function log(...values: unknown[]): void;
  function alert(...values: unknown[]): void;
}
export {};
`;

const docs = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];
const all = docs.flatMap((doc) => extractSnippets(doc, readFileSync(join(ROOT, doc), 'utf8')).snippets);

describe('documentation snippets', () => {
  it('finds fenced ts blocks and honours the opt-out marker only on the line before a fence', () => {
    const text = ['# t', '```ts', 'const a = 1;', '```', OPT_OUT, '```ts', 'partial(', '```', '```sh', 'ls', '```'].join('\n');
    expect(extractSnippets('t.md', text)).toEqual({ snippets: [{ doc: 't.md', line: 3, code: 'const a = 1;' }], skipped: 1 });
  });

  it('every ts snippet of README.md and docs/*.md typechecks against the package', () => {
    expect(all.length).toBeGreaterThan(10);
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });
    const files = all.map((snippet, index) => {
      const file = join(OUT, `${snippet.doc.replace(/[/.]/g, '_')}_${index}.ts`);
      // `export {}` makes each snippet a module of its own (top-level await, no name clashes).
      writeFileSync(file, `${snippet.code}\nexport {};\n`);
      return { file, snippet };
    });
    const given = join(OUT, 'given.ts');
    writeFileSync(given, GIVEN);
    const program = ts.createProgram(
      [given, ...files.map((entry) => entry.file)],
      {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        lib: ['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts'],
        types: ['node'],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        esModuleInterop: true,
        baseUrl: ROOT,
        paths: { 'redis-cluster-ops': ['src/index.ts'] },
      },
    );
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .filter((diagnostic) => diagnostic.file !== undefined && diagnostic.file.fileName.startsWith(OUT))
      .map((diagnostic) => {
        const entry = files.find((candidate) => candidate.file === diagnostic.file?.fileName);
        const { line } = diagnostic.file!.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
        return `${entry?.snippet.doc}:${(entry?.snippet.line ?? 0) + line}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')}`;
      });
    expect(diagnostics).toEqual([]);
  }, 120_000);
});
