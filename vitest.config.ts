import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/globalSetup.ts'],
    // Every test file gets a database of its own (copied from the run's template).
    setupFiles: ['test/support/fileDatabase.ts'],
    // Guards against hangs, not speed assertions: generous, because CI shares two cores with two
    // CPU burners (a test running eighteen CLI commands took over 120 s there).
    testTimeout: 300_000,
    // Closing servers and databases can take a while on a machine busy with other work (CI runs the
    // suite beside two CPU burners): a give-up, not a measure.
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
