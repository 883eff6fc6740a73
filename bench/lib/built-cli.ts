/**
 * The `omnidim-stream` command as users run it: the compiled `dist/` through
 * packages/cli/bin/omnidim-stream.js under plain `node` (no TypeScript loader: it costs ~1.5 s of
 * start-up and tens of MB that no user pays). The packages are compiled once per bench run, so
 * the figures are of this checkout's code. Peak RSS comes from peak-rss-preload.mjs (VmHWM at
 * exit, every thread counted).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type TimedProcess, timeProcess } from './timed-process.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(REPO_ROOT, 'packages/cli/bin/omnidim-stream.js');
const PRELOAD = fileURLToPath(new URL('./peak-rss-preload.mjs', import.meta.url));
/** Dependency order (imports flow cli → engine → sinks → transform → core). */
const PACKAGES = ['core', 'transform', 'sinks', 'engine', 'simulator', 'cli'];

let built = false;

/** Compiles every package's `dist/` (once per process), as `pnpm build` does. */
export function ensureBuiltCli(): void {
  if (built) return;
  const tsc = join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
  for (const name of PACKAGES) {
    const r = spawnSync(process.execPath, [tsc, '-p', `packages/${name}/tsconfig.build.json`], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`building packages/${name} failed:\n${r.stdout}${r.stderr}`);
  }
  built = true;
}

export interface BuiltCliRun extends TimedProcess {
  /** Peak RSS of the CLI process (VmHWM), bytes; NaN when it did not exit normally. */
  peakRssBytes: number;
}

/**
 * Runs the built CLI with `args`, timed from spawn to exit.
 *
 * @example
 * const r = await builtCli(['--version']);
 */
export async function builtCli(
  args: readonly string[],
  env: Record<string, string> = {},
  nodeArgs: readonly string[] = [],
  timeoutMs = 1_800_000,
): Promise<BuiltCliRun> {
  ensureBuiltCli();
  const dir = await mkdtemp(join(tmpdir(), 'omnidim-bench-peak-'));
  const peakFile = join(dir, 'peak');
  try {
    const run = await timeProcess(process.execPath, [...nodeArgs, '--import', PRELOAD, BIN, ...args], {
      env: { NODE_OPTIONS: '', ...env, OMNIDIM_BENCH_PEAK_FILE: peakFile },
      cwd: REPO_ROOT,
      timeoutMs,
    });
    const peak = Number(await readFile(peakFile, 'utf8').catch(() => 'NaN'));
    return { ...run, peakRssBytes: peak };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
