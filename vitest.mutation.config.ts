// The tests Stryker runs against each mutant (make mutation): the ones that exercise loader/arch,
// loader/livepatch and the Xen trap handling, without the slow CLI, explore and toolchain suites.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/arch/**/*.test.ts',
      'test/livepatch/*.test.ts',
      'test/livepatch/upload/errors.test.ts',
      'test/livepatch/upload/prepare.test.ts',
      'test/emulator/machine.test.ts',
      'test/image/builtin.test.ts',
    ],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
