/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    // The package's ESM build is plain .js in a CommonJS package; use its CJS build.
    '^aws-sdk-client-mock-jest$': '<rootDir>/node_modules/aws-sdk-client-mock-jest/dist/cjs/jest.js',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true }] },
  setupFiles: ['<rootDir>/tests/setup-env.ts'],
  testMatch: ['<rootDir>/tests/**/*.test.ts'],
};
