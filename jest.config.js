// Native ES modules under Jest: run with --experimental-vm-modules (see package.json scripts).
// The web client's modules are type-checked by their own tsconfig (web/tsconfig.json, bundler resolution).
const tsJest = ['ts-jest', { useESM: true, diagnostics: { ignoreCodes: ['TS151001'], exclude: ['**/web/src/**'] } }];
const shared = {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // The web client's name for the end-to-end module (web/vite.config.ts): the same files.
    '^@meetplane/e2ee$': '<rootDir>/media/e2ee/index.ts',
  },
  transform: { '^.+\\.tsx?$': tsJest },
  testEnvironment: 'node',
};

export default {
  testTimeout: 60000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/integration/global-setup.ts',
      globalTeardown: '<rootDir>/test/integration/global-teardown.ts',
    },
    { ...shared, displayName: 'cdk', testMatch: ['<rootDir>/test/cdk/**/*.test.ts'] },
  ],
};
