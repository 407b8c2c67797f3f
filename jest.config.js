/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // The 50,000-member deployment through the provider framework takes minutes on two
  // cores: `npm run test:scale` and `npm run reliability` run it, `npm test` does not.
  testPathIgnorePatterns: ['/node_modules/', ...(process.env.GUARDDUTY_MEMBERS_SCALE === '1' ? [] : ['<rootDir>/test/lifecycle/fifty-thousand-members.test.ts'])],
  // .ts first: jsii writes lib/*.js beside the sources, and tests run the sources.
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  setupFilesAfterEnv: ['aws-sdk-client-mock-jest'],
  // One temporary directory per run, removed at its end: tests leave nothing in the system's.
  globalSetup: '<rootDir>/test/support/jest-global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/jest-global-teardown.mjs',
  // Jest's transform cache stays in the project, not in the system's temporary directory.
  cacheDirectory: '<rootDir>/node_modules/.cache/jest',
  testTimeout: 60_000,
  // Two workers on two cores (Jest's default there is one, cores - 1): the lifecycle files
  // mostly wait on their Lambda container processes, rate limits and back-off, while the
  // synthesis files need the CPU. Every emulator and endpoint listens on port 0 and every
  // temporary directory is made with mkdtemp; the one shared directory, of member-list
  // assets, is written by rename. `npm run reliability` and `npm run test:slow` run one
  // worker, as the full property budgets were sized for.
  maxWorkers: 2,
};
