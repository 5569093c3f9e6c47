/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // ts-jest reads `isolatedModules: true` from tsconfig.json: files are transpiled one by one
  // (fast); type checking is `npm run build`'s job.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  // Synthesizing three full stacks plus cdk-nag takes a few seconds each.
  testTimeout: 60000,
};
