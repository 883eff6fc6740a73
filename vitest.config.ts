import { defineConfig } from 'vitest/config';

/**
 * Files that stay one at a time even where the rest of the packages' tests run two at a time:
 * they spawn the CLI or other processes and kill or signal them at chosen points, measure memory
 * or the young generation, or depend on lock/heartbeat timing, so a second test file competing
 * for the two cores could move what they observe. The end-to-end files (`test/e2e`: chaos,
 * kills, signals, S3, disk full) are serial too. The other files under `test/` (the packed
 * install, the bench smoke, the examples, test-on-node) run beside the packages' tests: each is
 * mostly one child process (npm, tsc, the bench, vitest on another Node) and asserts no timing.
 */
const SERIAL_PACKAGE_TESTS = [
  'packages/cli/test/bin.built-binary.test.ts',
  'packages/cli/test/bin.heap-growth.test.ts',
  'packages/cli/test/compact.sigterm.test.ts',
  'packages/cli/test/export.concurrent-run-locked.test.ts',
  'packages/cli/test/export.crash-resume*.test.ts',
  'packages/cli/test/export.failures-exit-codes.test.ts',
  'packages/cli/test/simulate.command.test.ts',
  'packages/cli/test/young-generation.cap.test.ts',
  'packages/core/test/http-client.undici-modules.test.ts',
  'packages/core/test/source.error-codes.test.ts',
  // A sleep then "no request after the run" (and a 200 ms server hold): under a second busy file
  // a request already sent may reach the simulator after the count was taken.
  'packages/core/test/source.readahead-hostile.test.ts',
  'packages/core/test/source.stop-rule.test.ts',
  'packages/engine/test/workers.failure-abort.test.ts',
  'packages/simulator/test/simulator.faults.test.ts',
  'packages/sinks/test/dataset-adoption.hostile-files.test.ts',
  'packages/sinks/test/dataset-checkpoint.forged-growing.test.ts',
  'packages/sinks/test/dataset-lock.heartbeat.test.ts',
  'packages/sinks/test/dataset.atomic-commit.test.ts',
  'packages/sinks/test/dataset.checkpoint-growing.test.ts',
  'packages/sinks/test/dataset.checkpoint-on-destroy.test.ts',
  'packages/sinks/test/dataset.commit-order.test.ts',
  'packages/sinks/test/local-store.contract.test.ts',
  'packages/sinks/test/object-lock.conditional-writes.test.ts',
  'packages/sinks/test/sinks.lazy-parquet.test.ts',
];

/**
 * `vitest run --exclude <glob>` (scripts/test-on-node.ts passes its subset's slow files so): a
 * project that sets its own `exclude`, as `parallel` does, no longer gets the command line's
 * (vitest 4.1), so they are read here and added back.
 */
function cliExcludes(argv: readonly string[]): string[] {
  return argv.flatMap((arg, i) => {
    if (arg === '--exclude') return argv[i + 1] === undefined ? [] : [argv[i + 1]!];
    return arg.startsWith('--exclude=') ? [arg.slice('--exclude='.length)] : [];
  });
}

/**
 * How many of the packages' other test files run at once: 2 (the machine's cores) by default;
 * scripts/test-on-node.ts sets 1 when it runs Node 22 and 24 side by side, which fills the two
 * cores already.
 */
const PARALLEL = Number(process.env['OMNIDIM_TEST_PARALLEL'] ?? 2);

// Tests run against the TypeScript sources: every package's `exports` map has a
// `source` condition pointing at src/, so no build is needed before `pnpm test`.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Two groups, one after the other: the packages' in-process tests and test/*.test.ts two
    // files at a time, then the serial ones alone (README "Development").
    projects: [
      {
        extends: true,
        test: {
          name: 'parallel',
          include: ['packages/*/test/**/*.test.ts', 'test/*.test.ts'],
          exclude: [...SERIAL_PACKAGE_TESTS, ...cliExcludes(process.argv)],
          maxWorkers: PARALLEL,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'serial',
          include: [...SERIAL_PACKAGE_TESTS, 'test/e2e/**/*.test.ts'],
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
