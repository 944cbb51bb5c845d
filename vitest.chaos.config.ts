import { defineConfig } from 'vitest/config';

// The fault tier (`npm run chaos`): the fault matrix (5xx, 429 with Retry-After, reset mid-blob, silent stall,
// corrupt bytes, through a fault-injecting proxy) and the kill -9 matrix of worker processes. Kept out of
// ./scripts/test because it runs for many minutes; test/workflows/fault-rules-proxy.test.ts is its fast representative.
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30 * 60_000,
    hookTimeout: 180_000,
    include: ['test/chaos/**/*.test.ts'],
    globalSetup: ['./test/support/global-setup.ts'],
    setupFiles: ['./test/support/quiet-runtime.ts'],
  },
});
