/**
 * What bounds a missed goal: the case is run once more under `--cpu-prof` (every thread), and
 * its hotspots are printed as a table and condensed into one line for the goal table. Several
 * goals measured by the same case share one profile.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchContext } from './context.js';
import { type ProfileSummary, summarizeProfileDirAllThreads } from './cpu-profile.js';
import { fmt, printTable } from './table.js';

/** The merged profile, and how many threads the profiled process ran at least. */
type Summary = ProfileSummary & { threads: number; expectedThreads: number | undefined };

const profiles = new Map<string, Promise<Summary>>();

/**
 * Runs `run(profileDir)` once per `key` (the caller starts the case with `--cpu-prof` into that
 * directory), prints the merged profile's top self time, and returns it. A `--quick` run
 * profiles its first miss only (to keep the path exercised, and the smoke run short): later ones
 * resolve to undefined.
 *
 * @example
 * const summary = await profileOnce(ctx, 'export parquet 20k', 'export → parquet', (dir) =>
 *   runCase('engine-export', params, { env, cpuProfDir: dir }));
 */
export function profileOnce(
  ctx: BenchContext,
  key: string,
  title: string,
  run: (profileDir: string) => Promise<unknown>,
  /** Threads the case runs at least (main + workers), when the caller knows. */
  expectedThreads?: number,
): Promise<Summary | undefined> {
  let pending = profiles.get(key);
  if (!pending && ctx.quick && profiles.size > 0) return Promise.resolve(undefined);
  if (!pending) {
    pending = (async () => {
      const root = ctx.profileDir ?? (await ctx.scratch('profiles'));
      const dir = join(root, key.replace(/[^\w.-]+/g, '-'));
      await mkdir(dir, { recursive: true });
      await run(dir);
      const summary = { ...(await summarizeProfileDirAllThreads(dir)), expectedThreads };
      printProfile(title, summary);
      return summary;
    })();
    profiles.set(key, pending);
  }
  return pending;
}

/** One line for the goal table: the top functions and the split by package. */
export function boundLine(summary: Summary | undefined, top = 5): string {
  if (!summary) return 'not profiled (--quick profiles its first miss only)';
  const functions = summary.functions
    .slice(0, top)
    .map((f) => `${f.name.replace(/ \((node_modules\/)?([^)]*)\)$/, ' ($2)')} ${f.percent.toFixed(0)}%`)
    .join(', ');
  const packages = summary.packages.map((p) => `${p.name} ${p.percent.toFixed(0)}%`).join(', ');
  return `profile (${summary.threads} threads, ${fmt(summary.busyMs)} ms sampled${coverage(summary)}): ${functions}; by package: ${packages}`;
}

/**
 * Says when fewer threads were profiled than ran: a worker started with its own `execArgv` does
 * not inherit `--cpu-prof`, so its work is missing from the summary. (Profile time cannot be
 * compared with the process's CPU instead: samples count time on the stack, descheduled included.)
 */
function coverage(summary: Summary): string {
  const expected = summary.expectedThreads;
  if (expected === undefined || summary.threads >= expected) return '';
  return `; only ${summary.threads} of ≥ ${expected} threads profiled: workers without --cpu-prof not seen`;
}

function printProfile(title: string, summary: Summary): void {
  printTable(
    `Profile of ${title} (--cpu-prof, ${summary.threads} threads merged, ${fmt(summary.busyMs)} ms busy${coverage(summary)}): top self time`,
    ['%', 'self ms', 'function (file)'],
    summary.functions.slice(0, 15).map((f) => [`${f.percent.toFixed(1)}%`, fmt(f.selfMs), f.name]),
    [
      `By workspace package (innermost package frame on the stack, libraries and native calls included): ${summary.packages
        .map((p) => `${p.name} ${p.percent.toFixed(0)}%`)
        .join(', ')}.`,
      'Under tsx, modules are compiled to a few lines, so positions are not given: functions are named with their file.',
    ],
  );
}
