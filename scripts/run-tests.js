#!/usr/bin/env node
/**
 * `npm test` after the build: the unit project in parallel, then the e2e project one file at a time
 * (whole systems of processes measuring latency need the machine to themselves). Arguments are passed
 * to both runs; `--json --outputFile=F` writes one merged result file, so CI reads one set of counts.
 * Exit code: non-zero when either run failed.
 */
const { spawnSync } = require('node:child_process');
const { readFileSync, writeFileSync, existsSync } = require('node:fs');

const args = process.argv.slice(2);
const outputArg = args.find((a) => a.startsWith('--outputFile='));
const output = outputArg && outputArg.slice('--outputFile='.length);
const passThrough = args.filter((a) => a !== outputArg);
const jest = require.resolve('jest/bin/jest');

function run(project, extra) {
  const file = output ? `${output}.${project}.json` : undefined;
  const result = spawnSync(process.execPath, [jest, '--selectProjects', project, ...extra, ...passThrough, ...(file ? [`--outputFile=${file}`] : [])], {
    stdio: 'inherit',
  });
  const json = file && existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
  return { status: result.status ?? 1, json };
}

const unit = run('unit', []);
const e2e = run('e2e', ['--runInBand']);
if (output) {
  const parts = [unit.json, e2e.json].filter(Boolean);
  const sum = (key) => parts.reduce((n, p) => n + (p[key] ?? 0), 0);
  writeFileSync(
    output,
    JSON.stringify({
      numPassedTests: sum('numPassedTests'),
      numFailedTests: sum('numFailedTests'),
      numPendingTests: sum('numPendingTests'),
      numTotalTests: sum('numTotalTests'),
      numFailedTestSuites: sum('numFailedTestSuites'),
      numRuntimeErrorTestSuites: sum('numRuntimeErrorTestSuites'),
      success: parts.length === 2 && parts.every((p) => p.success),
      testResults: parts.flatMap((p) => p.testResults ?? []),
    }),
  );
}
// jest exits 1 with "No tests found" only when a project has no files: treat that as a failure too.
process.exit(unit.status !== 0 ? unit.status : e2e.status);
