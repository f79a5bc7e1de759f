import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Java and Chromium are checked (and the packaged Chromium unpacked) once, before any test.
    globalSetup: ['test/support/prerequisites.ts'],
    // What the code under test logs is kept and shown only for a failing test (SKJEMAFLYT_TEST_LOGS=all: everything).
    setupFiles: ['test/support/captured-output.ts'],
    // End-to-end files start their own DynamoDB Local (java) and emulators: one process each, two at a time.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    // Name only the really slow tests: on a shared two-core machine most end-to-end tests pass 300 ms.
    slowTestThreshold: 10_000,
  },
});
