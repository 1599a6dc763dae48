// Mutation testing (make mutation; not part of make test): mutants of the live-patch runtime, the x86 arch
// and Xen's trap handling, each run against vitest.mutation.config.ts. Narrow it with
// `make mutation MUTATE=loader/livepatch/transitions.ts,loader/arch/x86/trampoline.ts`.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts', related: false, pool: 'forks' },
  mutate: ['loader/arch/**/*.ts', 'loader/livepatch/**/*.ts', 'emulator/xen/traps.ts'],
  coverageAnalysis: 'perTest',
  concurrency: 1,
  timeoutMS: 120_000,
  // .deps is a symlink to the shared set-up; Unicorn is also named through XLP_UNICORN_LIB.
  ignorePatterns: ['reports', '.stryker-tmp', '.xlp', 'node_modules'],
  tempDirName: '.stryker-tmp',
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  cleanTempDir: 'always',
};
