import { createRequire } from 'node:module'
import { defineConfig } from 'vitest/config'

export default defineConfig({
  resolve: {
    // One graphql for everyone: Node loads it as CommonJS for the packages
    // (Pothos, yoga), so the gateway's own modules must too, as they do
    // outside the tests; vite would otherwise pick graphql's ESM build and
    // graphql-js refuses a schema from the other copy.
    alias: [{ find: /^graphql$/, replacement: createRequire(import.meta.url).resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/peers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Suites share one PostgreSQL server, each in its own schema.
    fileParallelism: true,
  },
})
