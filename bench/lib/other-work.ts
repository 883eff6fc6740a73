/**
 * How much of the machine other work took, before and during a bench run: the CPU time every core
 * spent busy (/proc/stat) minus this process's own and that of its finished children (the bench's
 * cases), per second of wall time, in cores. The load average cannot say this: it counts the run's
 * own processes and lags by minutes. A run that shared its 2 cores with other work measures a
 * higher fetch+parse floor and slower cases, and its ratios move (issue 21: busy runs put the floor
 * at 176–215 µs per call where idle ones measured 75–78), so such a run is not a run of record.
 * Linux only: elsewhere the figures say "not measured".
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Cores busy with other work above which a run is not a run of record. */
export const IDLE_LIMIT_CORES = 0.2;

/** Clock ticks per second of /proc (USER_HZ: 100 on every Linux architecture Node runs on). */
const TICKS_PER_SECOND = 100;

/** A reading of the machine's busy CPU time and this process tree's own, in seconds. */
export interface CpuSample {
  busy: number;
  own: number;
  at: number;
}

/** Reads the counters now; undefined where /proc is not there. */
export function sampleCpu(): CpuSample | undefined {
  try {
    const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
    const ticks = fields.map(Number);
    // user nice system idle iowait irq softirq steal: all but idle and iowait are busy.
    const busy = [0, 1, 2, 5, 6, 7].reduce((sum, i) => sum + (ticks[i] ?? 0), 0);
    // After the command's closing parenthesis: state is field 0, cutime 13 and cstime 14.
    const self = readFileSync('/proc/self/stat', 'utf8');
    const after = self.slice(self.lastIndexOf(')') + 2).split(' ');
    const children = Number(after[13]) + Number(after[14]);
    const { user: u, system: s } = process.cpuUsage();
    return {
      busy: busy / TICKS_PER_SECOND,
      own: (u + s) / 1e6 + children / TICKS_PER_SECOND,
      at: performance.now(),
    };
  } catch {
    return undefined;
  }
}

/** Cores busy with work other than this process tree's between two samples. */
export function otherWorkCores(from: CpuSample, to: CpuSample): number {
  const seconds = (to.at - from.at) / 1000;
  return Math.max(0, (to.busy - from.busy - (to.own - from.own)) / seconds);
}

/** The line for a measured share: the figure and whether the run is idle enough to be of record. */
export function otherWorkLine(when: string, cores: number | undefined): string {
  if (cores === undefined) return `other work ${when}: not measured (no /proc/stat on this system)`;
  const verdict =
    cores > IDLE_LIMIT_CORES
      ? `NOT idle (more than ${IDLE_LIMIT_CORES} cores): not a run of record`
      : `idle (at most ${IDLE_LIMIT_CORES} cores)`;
  return `other work ${when}: ${cores.toFixed(2)} cores busy; ${verdict}`;
}

/**
 * Samples for `ms` (this process idle meanwhile) and returns the line for it and the sample that
 * ends it, from which the run's own figure is later taken.
 *
 * @example
 * const before = await otherWorkBefore();
 * console.log(before.line); // other work before the run (2 s sample): 0.02 cores busy; idle …
 */
export async function otherWorkBefore(ms = 2000): Promise<{ line: string; start: CpuSample | undefined }> {
  const from = sampleCpu();
  await sleep(ms);
  const to = sampleCpu();
  const cores = from && to ? otherWorkCores(from, to) : undefined;
  return { line: otherWorkLine(`before the run (${(ms / 1000).toFixed(0)} s sample)`, cores), start: to };
}

/** The line for the run itself, from the sample {@link otherWorkBefore} ended with. */
export function otherWorkDuring(start: CpuSample | undefined): string {
  const end = sampleCpu();
  return otherWorkLine('during the run', start && end ? otherWorkCores(start, end) : undefined);
}
