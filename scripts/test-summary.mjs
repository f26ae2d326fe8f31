// Prints vitest's JSON report as one plain closing line: "Tests: N passed, N failed, N skipped".
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? '.tmp/vitest-report.json';
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch {
  console.log('Tests: 0 passed, 1 failed (no vitest report was written)');
  process.exit(0);
}
const passed = report.numPassedTests ?? 0;
// A file that fails to load fails a suite without failing a test: count it too.
const failedTests = report.numFailedTests ?? 0;
const failed = failedTests > 0 ? failedTests : (report.numFailedTestSuites ?? 0);
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
