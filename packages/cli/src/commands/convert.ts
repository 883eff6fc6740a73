import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InputError } from '../exit-codes.js';
import type { DatasetOptions } from '../export-options.js';
import type { CliIo } from '../io.js';
import { createProgress, type ProgressState } from '../progress.js';
import { type ArchiveStats, readCallLogArchive } from '../read-archive.js';
import { runPipeline } from '../run-pipeline.js';
import { transformOptionsFor } from '../secrets.js';
import type { RunSummary } from '../summary.js';

/**
 * `omnidim-stream convert INPUT`: a raw archive (NDJSON from `--raw`, a JSON array of call logs
 * or of API pages, a page object; gzip or not) → the same tables, offline, streaming.
 */
export async function runConvert(
  input: string,
  options: DatasetOptions,
  io: CliIo,
  context: { runId: string; signal: AbortSignal; summary: RunSummary },
): Promise<RunSummary> {
  const path = resolve(io.cwd ?? process.cwd(), input);
  // Checked before anything is written, so a typo in the path leaves the output untouched.
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new InputError(`cannot read input ${path} (${error.code ?? 'unreadable'})`, { cause: error });
  });
  if (!info.isFile()) throw new InputError(`input ${path} is not a file`);
  const transform = await transformOptionsFor(options, io.env, io.cwd);
  const summary = context.summary;
  const stats: ArchiveStats = { records: 0, pages: 0, gzip: false };
  const state: ProgressState = { pages: 0, plannedPages: undefined, records: 0, retries: 0 };
  const progress = createProgress({
    enabled: io.isTTY && !options.quiet && !options.json,
    stream: io.stderr,
    state,
    now: io.now ?? Date.now,
  });
  async function* counted(): AsyncGenerator<unknown> {
    for await (const record of readCallLogArchive(path, { signal: context.signal, stats })) {
      state.records = stats.records;
      state.pages = stats.pages;
      progress.update();
      yield record;
    }
  }
  try {
    const result = await runPipeline({
      records: () => counted(),
      outDir: options.outDir,
      format: options.format,
      tables: options.tables,
      compression: options.compression,
      rowsPerFile: options.rowsPerFile,
      csvFormulaGuard: options.csvFormulaGuard,
      transform,
      runId: context.runId,
      raw: false,
      signal: context.signal,
    });
    summary.counts = Object.fromEntries(options.tables.map((t) => [t, result.rows[t] ?? 0]));
    summary.files = result.files;
    summary.filesWritten = result.files.length;
    summary.quarantined = result.quarantined;
    summary.quarantineFile = result.quarantine;
    return summary;
  } finally {
    summary.records = stats.records;
    summary.pages = stats.pages;
    progress.done();
  }
}
