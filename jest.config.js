/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The Web UI check drives Debian's Chromium, which a fresh clone lacks: `npm run test:web-ui`.
  // The cluster test brings up its own server and PostgreSQL: `npm test` runs it after the rest, on its own
  // (`npm run test:cluster:bounded`), so its processes never share the machine with the other files.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/web-ui/', '<rootDir>/test/cluster/'],
  // One Temporal dev server and one workflow bundle for the whole run.
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['<rootDir>/test/support/quiet-runtime.ts'],
  // Tests wait on events they control, not on clocks; a loaded 2-core machine makes one of them take 30 s or more.
  testTimeout: 120_000,
  maxWorkers: 2,
};
