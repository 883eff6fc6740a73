/**
 * Runs one bench case in its own Node process, so that its peak RSS and CPU time are its own
 * (not the runner's, not the simulator's). The case prints one `BENCH_RESULT {json}` line on
 * stdout (see case.ts); everything else it prints is passed through to stderr.
 */
import { fileURLToPath } from 'node:url';
import { ensureBuiltCli } from './built-cli.js';
import { timeProcess } from './timed-process.js';

const RESULT_PREFIX = 'BENCH_RESULT ';
const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** What every case reports besides its own figures. */
export interface CaseResult {
  /** Wall time of the measured section, ms. */
  wallMs: number;
  /** Peak resident set size of the whole process, bytes (VmHWM; see `peakRssBytes()` in case.ts). */
  maxRssBytes: number;
  /** CPU time (user + system) of the measured work, after module loading, ms. */
  cpuMs: number;
  /** CPU time of the whole process, module loading included, ms. */
  processCpuMs: number;
  /** The same span as `cpuMs` from /proc/self/stat (10 ms ticks, every thread), or null off Linux. */
  statCpuMs: number | null;
  /** The main thread's own CPU over the same span (/proc/thread-self/stat, 10 ms ticks), or null off Linux. */
  mainThreadCpuMs: number | null;
  [key: string]: unknown;
}

export interface RunCaseOptions {
  /** Environment added to the runner's (e.g. `OMNIDIM_API_KEY`). */
  env?: Record<string, string>;
  /** Write a V8 CPU profile of the case into this directory. */
  cpuProfDir?: string;
  /**
   * Import the workspace packages from their compiled `dist/` (built once per bench run) instead
   * of their TypeScript sources: what users run. The case file itself still runs through tsx.
   * Matters for flatten workers: from source, each worker thread registers tsx and compiles every
   * module it loads (~0.5 s of CPU per worker, ~9% of a 2-worker export's profile, issue 21).
   */
  compiled?: boolean;
  /** Kill the case after this long. Default 300 000 ms. */
  timeoutMs?: number;
}

/**
 * Spawns `node --conditions=source --import tsx bench/cases/<name>.ts <json>` (without the
 * `source` condition when `compiled`) and resolves
 * with the result the case reported; rejects if it exits non-zero or reports nothing.
 *
 * @example
 * const r = await runCase('fetch-floor', { baseUrl: sim.url, concurrency: 1 }, { env: { OMNIDIM_API_KEY: key } });
 * console.log(r.wallMs, r.maxRssBytes);
 */
export async function runCase<T extends CaseResult = CaseResult>(
  name: string,
  params: Record<string, unknown>,
  options: RunCaseOptions = {},
): Promise<T> {
  if (options.compiled) ensureBuiltCli();
  const nodeArgs = options.compiled ? ['--import', 'tsx'] : ['--conditions=source', '--import', 'tsx'];
  if (options.cpuProfDir) nodeArgs.push('--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`);
  const script = `${BENCH_DIR}cases/${name}.ts`;
  const timeoutMs = options.timeoutMs ?? 300_000;
  const run = await timeProcess(process.execPath, [...nodeArgs, script, JSON.stringify(params)], {
    cwd: REPO_ROOT,
    timeoutMs,
    ...(options.env ? { env: options.env } : {}),
  });
  const line = run.stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  if (run.code !== 0 || line === undefined) {
    const why = run.signal ? `killed by ${run.signal} (timeout ${timeoutMs} ms?)` : `exit code ${run.code}`;
    throw new Error(
      `bench case ${name} failed: ${why}\n${run.stderr.slice(-4000)}${run.stdout.slice(-2000)}`,
    );
  }
  return JSON.parse(line.slice(RESULT_PREFIX.length)) as T;
}

export { RESULT_PREFIX };

/**
 * `spawn()` arguments that run `node args…` as a grandchild of a tiny `sh`, so that a script
 * measuring its own `resourceUsage().maxRSS` (scripts this runner does not own) starts from the
 * shell's few MB rather than inheriting this runner's RSS across fork + exec (Linux keeps
 * `ru_maxrss` over `execve`). The trailing `exit` stops `sh` from exec'ing node in its place.
 *
 * @example
 * const [cmd, argv] = isolatedNode(['--conditions=source', '--import', 'tsx', 'bench/sinks.ts']);
 * spawn(cmd, argv, { stdio: 'inherit' });
 */
export function isolatedNode(args: readonly string[]): [string, string[]] {
  if (process.platform === 'win32') return [process.execPath, [...args]];
  return ['/bin/sh', ['-c', '"$0" "$@"; status=$?; exit $status', process.execPath, ...args]];
}
