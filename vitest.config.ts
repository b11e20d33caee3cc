import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/globalSetup.ts'],
    // Every test file gets a database of its own (copied from the run's template).
    setupFiles: ['test/support/fileDatabase.ts'],
    // Guards against hangs, not speed assertions: generous, because CI shares two cores with two
    // CPU burners, and a test that runs CLI commands one after another pays a Node start for each
    // (test/cli/lists.test.ts's eighteen took over 120 s beside CI's burners, and over 300 s beside
    // them plus other test runs at load ~20; six other tests took 140–280 s there).
    testTimeout: 900_000,
    // Closing servers and databases can take a while on a machine busy with other work (CI runs the
    // suite beside two CPU burners): a give-up, not a measure.
    hookTimeout: 180_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
