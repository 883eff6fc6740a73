import { defineConfig } from 'vitest/config';

// Tests run against the TypeScript sources: every package's `exports` map has a
// `source` condition pointing at src/, so no build is needed before `pnpm test`.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
