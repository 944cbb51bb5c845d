import { defineConfig } from 'vitest/config';

// The Temporal native bridge crashes under worker threads, so every test file runs in a forked process.
// "unit" tests need nothing running; "integration" tests share one local stack (Temporal dev server,
// two OCI registries) that test/support/global-setup.ts starts and stops around the run; "production" tests start
// their own production-topology stack (PostgreSQL, Temporal server with mTLS and JWT authorization) per file.
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/{smoke,activities,workflows,e2e,replay}/**/*.test.ts'],
          globalSetup: ['./test/support/global-setup.ts'],
          setupFiles: ['./test/support/quiet-runtime.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'production',
          include: ['test/production/**/*.test.ts'],
          setupFiles: ['./test/support/quiet-runtime.ts'],
        },
      },
    ],
  },
});
