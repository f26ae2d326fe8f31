/**
 * Runs every benchmark in turn (each writes its own section of docs/benchmarks.md).
 * Run: npm run bench   (or npx tsx bench/run-all.ts [runs])
 */
import { spawnSync } from 'node:child_process';

const runs = process.argv[2] ?? '3';
for (const bench of ['create', 'migrate', 'failover', 'import']) {
  console.log(`=== bench/${bench}.ts`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', `bench/${bench}.ts`, bench === 'create' ? '5' : runs], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`bench/${bench}.ts failed`);
    process.exit(1);
  }
}
