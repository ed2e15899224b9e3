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
  collectCoverage: true,
  coverageProvider: 'v8',
  coverageReporters: ['text-summary', 'json-summary'],
  collectCoverageFrom: [
    'handlers/**/*.ts',
    'config/**/*.ts',
    'src/**/*.ts',
    'sandbox/**/*.ts',
    // Command-line entry points: exercised by running them, not imported by tests.
    '!config/check.ts',
    '!src/contract/write-json-schema.ts',
    '!sandbox/main.ts', // `npm start`: driven as a real process by tests/sandbox/runtime/main.test.ts
    // Type-only modules.
    '!src/launcher/ports.ts',
  ],
  coverageThreshold: {
    './handlers/': { lines: 95, branches: 95 },
    './config/': { lines: 95, branches: 95 },
    './src/launcher/': { lines: 95, branches: 90 },
  },
};
