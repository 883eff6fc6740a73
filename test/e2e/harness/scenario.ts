/**
 * Shared pieces of the chaos scenarios: temp directories, the export command line, the JSON
 * summary, and the leak check every scenario ends with.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunSummary } from '@omnidim-stream/cli';
import { type DuckReader, type Format, findInDataset } from './dataset.js';
import type { CliRun } from './run-cli.js';
import { LEAK_KEY, replayHint } from './settings.js';

/** A temp directory removed by `remove()`. */
export async function tempDir(prefix: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `e2e-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export interface ExportArgs {
  out: string;
  format: Format;
  baseUrl: string;
  pageSize: number;
  concurrency?: number;
  extra?: readonly string[];
}

/** `export … --json` against a base URL (the key comes from the environment, never argv). */
export function exportArgv(a: ExportArgs): string[] {
  return [
    'export',
    '--out',
    a.out,
    '--format',
    a.format,
    '--base-url',
    a.baseUrl,
    '--page-size',
    String(a.pageSize),
    '--concurrency',
    String(a.concurrency ?? 4),
    '--json',
    ...(a.extra ?? []),
  ];
}

/** The environment of a run: only the key (and PATH for spawned runs). */
export function keyEnv(apiKey: string = LEAK_KEY): Record<string, string> {
  return { OMNIDIM_API_KEY: apiKey };
}

/** The `--json` summary printed on stdout (the last line). */
export function summaryOf(run: CliRun): RunSummary {
  const line = run.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as RunSummary;
  } catch {
    throw new Error(
      `no JSON summary on stdout (exit ${run.code}): stdout=${run.stdout.slice(0, 500)} stderr=${run.stderr.slice(0, 500)} ${replayHint()}`,
    );
  }
}

/** Short description of a run for assertion messages. */
export function describeRun(run: CliRun): string {
  return `exit=${run.code} signal=${run.signal} stderr=${JSON.stringify(run.stderr.slice(0, 800))} ${replayHint()}`;
}

/**
 * Every place the API key could leak: each run's stdout and stderr (summary and errors
 * included) and every file under `out` (state, manifest, `_` files, raw archive, data rows).
 * Returns where it was found ([] = no leak).
 */
export async function findKeyLeaks(
  reader: DuckReader,
  out: string,
  format: Format,
  runs: readonly CliRun[],
  key: string = LEAK_KEY,
): Promise<string[]> {
  const places: string[] = [];
  runs.forEach((run, i) => {
    if (run.stdout.includes(key)) places.push(`run ${i + 1} stdout`);
    if (run.stderr.includes(key)) places.push(`run ${i + 1} stderr`);
  });
  for (const finding of await findInDataset(reader, out, format, [key])) places.push(finding.file);
  return places;
}
