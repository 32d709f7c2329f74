/**
 * One jest run for unit (`*.spec.ts`, beside the code) and cross-app (`test/**`) tests.
 * ts-jest transpiles only (isolatedModules): `npm run build` type-checks the whole tree once
 * before jest starts, so paying for a second type-check per test file would only slow CI.
 */
/** @type {import('jest').Config} */
module.exports = {
  rootDir: '.',
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  testRegex: '.*\\.(spec|e2e-spec|test)\\.ts$',
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.spec.json' }] },
  moduleNameMapper: {
    '^@app/(contracts|bus|clock|config|telemetry|core|telnyx)(/.*)?$': '<rootDir>/libs/$1/src$2',
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
  // Child processes and sockets are stopped by each file's afterAll; forceExit only guards CI against a
  // library's lingering keep-alive timer turning a green run into a hang.
  forceExit: true,
};
