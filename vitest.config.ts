import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**', 'scratch/**'],
    // Tests that start servers (the S3 gateway, the API emulator) share them through globalSetup; keep files isolated.
    pool: 'forks',
    globalSetup: ['test/setup/global.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
  },
});
