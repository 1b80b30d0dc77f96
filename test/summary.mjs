// Prints vitest's JSON report as one closing line, "N passed, N failed, N skipped", for CI logs.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'test-artifacts/vitest.json';
const report = JSON.parse(readFileSync(file, 'utf8'));
// A suite whose setup failed fails no single test: count it, so the line never says 0 failed on a red run.
const failed = report.numFailedTests + (report.success ? 0 : Math.max(report.numFailedTestSuites, report.numFailedTests > 0 ? 0 : 1));
console.log(`${report.numPassedTests} passed, ${failed} failed, ${report.numPendingTests + report.numTodoTests} skipped`);
process.exit(report.success ? 0 : 1);
