#!/usr/bin/env node
// Packed-tarball consumers: builds and packs the package, installs the tarball into fresh
// projects (one per TypeScript setup users have), typechecks a consumer script there and runs
// it against a real LocalCluster. Fails on any type error or failed run.
//
//   node scripts/test-consumers.mjs [--no-build] [--keep] [--only=name,name]
//
// One `npm install` per project, all sharing npm's cache (offline-first), so a rerun is quick.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const only = [...args].find((arg) => arg.startsWith('--only='))?.slice('--only='.length).split(',');
const keep = args.has('--keep');
const build = !args.has('--no-build');

const versionOf = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
const typescript = versionOf('typescript');
const tsx = versionOf('tsx');
const typesNode = versionOf('@types/node');
const TS_NODE = '10.9.2';

/** `npx ts-node FILE`'s typecheck, through ts-node's API: same defaults, same diagnostics. */
const TS_NODE_TYPECHECK = [
  "const { create } = require('ts-node');",
  "const file = require('node:path').resolve(process.argv[1]);",
  "try { create({ typeCheck: true }).compile(require('node:fs').readFileSync(file, 'utf8'), file); }",
  'catch (error) { console.error(error.diagnosticText ?? error); process.exit(1); }',
].join('\n');

const strict = { strict: true, skipLibCheck: false, noEmitOnError: true, types: ['node'], outDir: 'out', rootDir: '.' };

/**
 * Each setup: its package.json `type`, its tsconfig (or none), the runner it needs, and the
 * commands that typecheck and run the consumer script. `tsc` emits only when the script is
 * then run with node; ts-node typechecks as it runs.
 */
const PROJECTS = [
  {
    name: 'esm-node16',
    type: 'module',
    tsconfig: { compilerOptions: { ...strict, target: 'ES2022', module: 'node16', moduleResolution: 'node16' } },
    steps: [['npx', 'tsc', '-p', '.'], ['node', 'out/smoke.js']],
  },
  {
    name: 'esm-nodenext',
    type: 'module',
    tsconfig: { compilerOptions: { ...strict, target: 'ES2022', module: 'nodenext', moduleResolution: 'nodenext' } },
    steps: [['npx', 'tsc', '-p', '.'], ['node', 'out/smoke.js']],
  },
  {
    name: 'esm-bundler',
    type: 'module',
    tsconfig: { compilerOptions: { ...strict, target: 'ES2022', module: 'esnext', moduleResolution: 'bundler' } },
    steps: [['npx', 'tsc', '-p', '.'], ['node', 'out/smoke.js']],
  },
  {
    name: 'cjs',
    type: 'commonjs',
    tsconfig: { compilerOptions: { ...strict, target: 'ES2022', module: 'commonjs', moduleResolution: 'node10', esModuleInterop: true } },
    steps: [['npx', 'tsc', '-p', '.'], ['node', 'out/smoke.js']],
  },
  {
    name: 'ts-node-bare',
    type: undefined,
    runner: { 'ts-node': TS_NODE },
    tsconfig: undefined,
    // ts-node 10.9's built-in defaults (used when no tsconfig exists) cannot run any .ts file on
    // Node >= 20.19 (ERR_UNKNOWN_FILE_EXTENSION even for `const x = 1`), whatever it imports. So
    // this setup checks what `npx ts-node smoke.ts` checks, with the same defaults, through
    // ts-node's API; the other setups run the script.
    steps: [['node', '-e', TS_NODE_TYPECHECK, 'smoke.ts']],
  },
  {
    name: 'ts-node-tsconfig',
    type: 'commonjs',
    runner: { 'ts-node': TS_NODE },
    tsconfig: { compilerOptions: { ...strict, target: 'ES2022', module: 'node16', moduleResolution: 'node16' } },
    steps: [['npx', 'ts-node', 'smoke.ts']],
  },
  {
    name: 'tsx',
    type: 'module',
    runner: { tsx },
    tsconfig: { compilerOptions: { ...strict, target: 'ES2022', module: 'preserve', moduleResolution: 'bundler', noEmit: true } },
    steps: [['npx', 'tsc', '-p', '.'], ['npx', 'tsx', 'smoke.ts']],
  },
].filter((project) => only === undefined || only.includes(project.name));

function run(command, argv, cwd, timeoutMs = 240_000) {
  return new Promise((resolveRun) => {
    const started = Date.now();
    const child = spawn(command, argv, { cwd, env: { ...process.env, npm_config_update_notifier: 'false' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      output += `\n[timed out after ${timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolveRun({ code: code ?? 1, output, ms: Date.now() - started });
    });
  });
}

async function must(command, argv, cwd) {
  const result = await run(command, argv, cwd);
  if (result.code !== 0) {
    console.error(`$ ${command} ${argv.join(' ')}  (in ${cwd})\n${result.output}`);
    process.exit(1);
  }
  return result.output;
}

async function prepare(project, base, tarball) {
  const dir = join(base, project.name);
  mkdirSync(dir, { recursive: true });
  const pkg = {
    name: `consumer-${project.name}`,
    private: true,
    version: '0.0.0',
    ...(project.type === undefined ? {} : { type: project.type }),
    dependencies: { 'redis-cluster-ops': `file:${tarball}` },
    devDependencies: { typescript, '@types/node': typesNode, ...(project.runner ?? {}) },
  };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  if (project.tsconfig !== undefined) {
    writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify({ ...project.tsconfig, include: ['smoke.ts'] }, null, 2)}\n`);
  }
  cpSync(join(root, 'scripts', 'consumers', 'smoke.ts'), join(dir, 'smoke.ts'));
  const install = await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], dir);
  return { dir, install };
}

/**
 * Declarations the bundled .d.ts holds but does not export: types a public signature uses that a
 * caller cannot name (`import type { X }` fails). The bundle declares them locally, then lists the
 * exported ones in one `export { ... }` statement.
 */
function unnamedPublicTypes() {
  const text = readFileSync(join(root, 'dist', 'index.d.ts'), 'utf8');
  const declared = new Set([...text.matchAll(/^(?:declare )?(?:interface|type|class|abstract class|function|const|enum) ([A-Za-z_$][\w$]*)/gm)].map((m) => m[1]));
  const list = /^export \{([^}]*)\};?\s*$/m.exec(text)?.[1] ?? '';
  const exported = new Set(list.split(',').map((name) => name.trim().replace(/^type /, '').split(' as ').pop()));
  return [...declared].filter((name) => !exported.has(name));
}

async function main() {
  const started = Date.now();
  if (build) await must('npm', ['run', '--silent', 'build'], root);
  const unnamed = unnamedPublicTypes();
  if (unnamed.length > 0) {
    console.error(`FAIL public signatures use types the package does not export (export them from src/index.ts): ${unnamed.join(', ')}`);
    process.exit(1);
  }
  const base = mkdtempSync(join(tmpdir(), 'redis-cluster-ops-consumers-'));
  const packed = JSON.parse(await must('npm', ['pack', '--json', '--pack-destination', base], root));
  const tarball = join(base, packed[0].filename);
  console.log(`packed ${packed[0].filename}: ${(packed[0].size / 1024).toFixed(1)} kB packed, ${(packed[0].unpackedSize / 1024).toFixed(1)} kB unpacked, ${packed[0].entryCount} files`);

  // Installs two at a time (network and disk bound); runs one at a time (each starts redis-server).
  const prepared = new Map();
  const queue = [...PROJECTS];
  await Promise.all(
    [0, 1].map(async () => {
      for (let project = queue.shift(); project !== undefined; project = queue.shift()) prepared.set(project.name, await prepare(project, base, tarball));
    }),
  );

  const failures = [];
  for (const project of PROJECTS) {
    const { dir, install } = prepared.get(project.name);
    if (install.code !== 0) {
      failures.push(project.name);
      console.log(`FAIL ${project.name}: npm install\n${install.output}`);
      continue;
    }
    let failed = false;
    const timings = [`install ${(install.ms / 1000).toFixed(1)}s`];
    for (const [command, ...argv] of project.steps) {
      const result = await run(command, argv, dir);
      timings.push(`${argv[0] === undefined ? command : `${command === 'npx' ? argv[0] : command}`} ${(result.ms / 1000).toFixed(1)}s`);
      if (result.code !== 0) {
        failed = true;
        console.log(`FAIL ${project.name}: ${command} ${argv.join(' ')}\n${result.output.trimEnd()}`);
        break;
      }
    }
    if (failed) failures.push(project.name);
    else console.log(`ok   ${project.name} (${timings.join(', ')})`);
  }

  if (keep) console.log(`projects kept in ${base}`);
  else rmSync(base, { recursive: true, force: true });
  console.log(`${PROJECTS.length - failures.length}/${PROJECTS.length} consumer setups passed in ${((Date.now() - started) / 1000).toFixed(0)}s`);
  if (failures.length > 0) {
    console.log(`failed: ${failures.join(', ')}`);
    process.exit(1);
  }
}

await main();
