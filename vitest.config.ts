import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    // The first Machine of a worker pays Unicorn's start-up and the exception-state calibration (~3 s).
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Tests that start bin/xlp run the compiled CLI: rebuild dist/ first when a source is newer.
    globalSetup: ['tools/build-dist.ts'],
  },
});
