/**
 * Two projects: `unit` (`*.spec.ts`: unit and integration tests against a private Redis, run in
 * parallel) and `e2e` (`*.e2e-spec.ts`: whole systems of processes, run one at a time by
 * scripts/run-tests.js so their latency measurements are not taken on a machine busy with other tests).
 * ts-jest transpiles only (isolatedModules): `npm run build` type-checks the whole tree once before
 * jest starts, so paying for a second type-check per test file would only slow CI.
 */
const common = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.spec.json' }] },
  moduleNameMapper: {
    '^@app/(contracts|bus|clock|config|telemetry|core|telnyx)(/.*)?$': '<rootDir>/libs/$1/src$2',
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testRegex: '.*\\.spec\\.ts$' },
    { ...common, displayName: 'e2e', testRegex: '.*\\.e2e-spec\\.ts$' },
  ],
  testTimeout: 30000,
  maxWorkers: 2,
  // Child processes and sockets are stopped by each file's afterAll; forceExit only guards CI against a
  // library's lingering keep-alive timer turning a green run into a hang.
  forceExit: true,
};
