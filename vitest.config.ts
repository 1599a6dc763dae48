import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'examples/**/*.test.ts'],
    // The first Machine of a worker pays Unicorn's start-up and the exception-state calibration (~3 s).
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
