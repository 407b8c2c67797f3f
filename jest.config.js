/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // .ts first: jsii writes lib/*.js beside the sources, and tests run the sources.
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  setupFilesAfterEnv: ['aws-sdk-client-mock-jest'],
  // A private TMPDIR per run, removed afterwards: see test/support/temp-directory-setup.mjs.
  globalSetup: '<rootDir>/test/support/temp-directory-setup.mjs',
  globalTeardown: '<rootDir>/test/support/temp-directory-teardown.mjs',
  testTimeout: 60_000,
};
