/**
 * An export the way a user runs it: the CLI's process entry `run()` (what
 * bin/omnidim-stream.js calls, with the settings the CLI applies to its own process), in this
 * process, output to stdout/stderr as usual. Reports what the lake's manifest records.
 *
 * Params: { argv }: the CLI arguments (`export --out … --base-url …`). Env: OMNIDIM_API_KEY.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '@omnidim-stream/cli/bin';
import type { DatasetManifest } from '@omnidim-stream/sinks';
import { runAsCase } from '../lib/case.js';

await runAsCase<{ argv: string[] }>(async ({ argv }) => {
  const start = performance.now();
  const code = await run(argv);
  const wallMs = performance.now() - start;
  if (code !== 0) throw new Error(`omnidim-stream ${argv[0]} exited ${code}`);
  const out = argv[argv.indexOf('--out') + 1]!;
  const manifest = JSON.parse(await readFile(join(out, '_manifest.json'), 'utf8')) as DatasetManifest;
  let bytes = 0;
  for (const file of manifest.files) bytes += file.bytes;
  return { wallMs, records: manifest.tables.calls?.rows ?? 0, bytes, files: manifest.files.length };
});
