/**
 * The child side of child.ts: parses the case's parameters, runs it, and reports its figures
 * plus the process's peak RSS and CPU time as one `BENCH_RESULT {json}` line.
 */
import { readFileSync } from 'node:fs';
import { RESULT_PREFIX } from './child.js';

/**
 * Peak RSS of this process since it exec'd, in bytes.
 *
 * Not `process.resourceUsage().maxRSS` alone: on Linux, `ru_maxrss` survives `execve`, and the
 * forked child starts as a copy of its parent, so a case spawned by a runner holding 250 MB
 * reports at least 250 MB whatever it does. `VmHWM` in /proc/self/status is the high-water mark
 * of the current address space only (the one created by exec). Elsewhere, fall back to maxRSS.
 */
export function peakRssBytes(): number {
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (match) return Number(match[1]) * 1024;
  } catch {
    // Not Linux: no /proc.
  }
  return process.resourceUsage().maxRSS * 1024;
}

/**
 * CPU time (user + system) of the whole process from `/proc/self/stat` (fields 14 and 15, in
 * clock ticks of 10 ms on Linux), every thread included: the cross-check of `process.cpuUsage()`
 * (`getrusage(RUSAGE_SELF)`, which also covers every thread) once worker threads do the work.
 * Undefined off Linux.
 */
export function procStatCpuMs(path = '/proc/self/stat'): number | undefined {
  try {
    const stat = readFileSync(path, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state), so utime (14) and stime (15) are fields[11] and fields[12].
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/**
 * CPU time of the calling thread alone (`/proc/thread-self/stat`, same fields and ticks): on the
 * main thread, what the main thread spent, without worker threads or V8's and libuv's helpers.
 */
export function mainThreadCpuMs(): number | undefined {
  return procStatCpuMs('/proc/thread-self/stat');
}

/** `sysconf(_SC_CLK_TCK)`: 100 on every Linux architecture Node supports. */
const CLOCK_TICKS_PER_SECOND = 100;

/** What a case body returns: its wall time and any figures of its own. */
export interface CaseOutput {
  wallMs: number;
  [key: string]: unknown;
}

/**
 * Runs `body` with the JSON parameters given as the process's first argument, then prints the
 * result line and exits (0, or 1 with the error on stderr).
 *
 * @example
 * await runAsCase<{ n: number }>(async ({ n }) => { const t = performance.now(); work(n); return { wallMs: performance.now() - t }; });
 */
export async function runAsCase<P>(body: (params: P) => Promise<CaseOutput>): Promise<void> {
  try {
    const params = JSON.parse(process.argv[2] ?? '{}') as P;
    // Modules are loaded by now (static imports run first): CPU from here on is the work's.
    const cpuBefore = process.cpuUsage();
    const statBefore = procStatCpuMs();
    const mainBefore = mainThreadCpuMs();
    const output = await body(params);
    const cpu = process.cpuUsage(cpuBefore);
    const statAfter = procStatCpuMs();
    const mainAfter = mainThreadCpuMs();
    const usage = process.resourceUsage();
    const result = {
      ...output,
      maxRssBytes: peakRssBytes(),
      // resourceUsage(): CPU times in microseconds.
      cpuMs: (cpu.user + cpu.system) / 1000,
      processCpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
      statCpuMs: statBefore === undefined || statAfter === undefined ? null : statAfter - statBefore,
      mainThreadCpuMs: mainBefore === undefined || mainAfter === undefined ? null : mainAfter - mainBefore,
    };
    process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(result)}\n`);
    process.exitCode = 0;
  } catch (error) {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  }
}

/** The API key the runner passes to cases through the environment (never on the command line). */
export function benchApiKey(): string {
  const key = process.env['OMNIDIM_API_KEY'];
  if (!key) throw new Error('OMNIDIM_API_KEY is not set (the runner passes the simulator key)');
  return key;
}
