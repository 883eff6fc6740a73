/**
 * A full export: core → transform → dataset sink, to one format, through the library API
 * (`via: 'library'`, the default) or the CLI's `main()` (`via: 'cli'`, same process, no TTY).
 * Reports the rows and bytes the dataset manifest records.
 *
 * Params: { baseUrl, concurrency, format, out, tables?, via?, partitionBy? }. Env: OMNIDIM_API_KEY.
 */
import { pipeline } from 'node:stream/promises';
import { callLogs } from '@omnidim-stream/core';
import { createDatasetSink, type DatasetFormat, type PartitionGrain } from '@omnidim-stream/sinks';
import { createFlattenStream, type TableName } from '@omnidim-stream/transform';
import { benchApiKey, runAsCase } from '../lib/case.js';

interface Params {
  baseUrl: string;
  concurrency: number;
  format: DatasetFormat;
  out: string;
  tables?: TableName[];
  via?: 'library' | 'cli';
  /** The lake's grain (default the sink's). */
  partitionBy?: PartitionGrain;
}

await runAsCase<Params>(async ({ baseUrl, concurrency, format, out, tables, via, partitionBy }) => {
  const start = performance.now();
  if (via === 'cli') {
    const { main } = await import('@omnidim-stream/cli');
    let stdout = '';
    let stderr = '';
    const argv = ['export', '--out', out, '--format', format, '--base-url', baseUrl];
    argv.push('--concurrency', String(concurrency), '--json');
    if (tables) argv.push('--tables', tables.join(','));
    const code = await main(argv, {
      env: { OMNIDIM_API_KEY: benchApiKey() },
      isTTY: false,
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
    });
    const wallMs = performance.now() - start;
    if (code !== 0) throw new Error(`omnidim-stream export exited ${code}: ${stderr}`);
    const summary = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
    return { wallMs, summary };
  }
  const source = callLogs({ apiKey: benchApiKey(), baseUrl, concurrency });
  const flatten = createFlattenStream();
  const sink = createDatasetSink({
    out,
    format,
    ...(tables ? { tables } : {}),
    ...(partitionBy ? { partitionBy } : {}),
    sourceStats: () => ({ ...source.stats }),
  });
  await pipeline(source, flatten, sink);
  const wallMs = performance.now() - start;
  const manifest = sink.manifest;
  const rows: Record<string, number> = {};
  let bytes = 0;
  const files = manifest?.files.length ?? 0;
  for (const [table, entry] of Object.entries(manifest?.tables ?? {})) {
    rows[table] = entry.rows;
  }
  for (const file of manifest?.files ?? []) bytes += file.bytes;
  return {
    wallMs,
    records: source.stats.records,
    rows,
    bytes,
    files,
    quarantined: flatten.stats.quarantined,
  };
});
