// Prints vitest's JSON report as one closing line, "N passed, N failed, N skipped", for CI logs.
import { readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'test-artifacts/vitest.json';
const report = JSON.parse(readFileSync(file, 'utf8'));
// A suite whose setup failed fails no single test: count it, so the line never says 0 failed on a red run.
// (Failed suites are not added to failed tests: a failing test also fails every describe around it.)
const failed = report.numFailedTests > 0 ? report.numFailedTests : report.success ? 0 : Math.max(report.numFailedTestSuites, 1);
console.log(`${report.numPassedTests} passed, ${failed} failed, ${report.numPendingTests + report.numTodoTests} skipped`);
process.exit(report.success ? 0 : 1);
