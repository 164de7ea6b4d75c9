import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['test/helpers/unmapped-warnings.ts'],
    // Property tests against the Retraced oracle run thousands of cases; give them room on a busy 2-core machine.
    testTimeout: 30_000,
    pool: 'forks',
  },
});
