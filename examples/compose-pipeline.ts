/**
 * Composing a pipeline in code: source → transform → a custom filter stage → a sink, with
 * `pipeline()` and an AbortSignal (Ctrl-C or a 60 s budget stops it; nothing partial is committed).
 *
 *   OMNIDIM_API_KEY=… node --conditions=source --import tsx examples/compose-pipeline.ts ./lake
 *
 * Without OMNIDIM_API_KEY it starts the built-in simulator on 127.0.0.1 and reads from it.
 */
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { callLogs } from '@omnidim-stream/core';
import { startSimulator } from '@omnidim-stream/simulator';
import { createDatasetSink } from '@omnidim-stream/sinks';
import { createFlattenStream, type FlatCallLog } from '@omnidim-stream/transform';

const out = process.argv[2] ?? 'compose-out';
const sim = process.env['OMNIDIM_API_KEY'] ? undefined : await startSimulator({ records: 400 });
const apiKey = sim?.apiKey ?? process.env['OMNIDIM_API_KEY'] ?? '';
const baseUrl = sim?.url ?? process.env['OMNIDIM_BASE_URL'];

// Ctrl-C aborts the whole pipeline; so does running longer than a minute.
const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(60_000)]);

// The custom stage: keep only calls that lasted at least 30 seconds.
let kept = 0;
const longCallsOnly = new Transform({
  objectMode: true,
  transform(flat: FlatCallLog, _encoding, callback) {
    const seconds = flat.tables.calls[0]?.['call_duration_in_seconds'];
    if (typeof seconds === 'number' && seconds >= 30) {
      kept++;
      callback(null, flat);
    } else callback();
  },
});

const sink = createDatasetSink({ out, format: 'parquet', tables: ['calls', 'interactions'] });
try {
  await pipeline(
    callLogs({ apiKey, ...(baseUrl ? { baseUrl } : {}), signal }),
    createFlattenStream({ timeZone: 'UTC' }),
    longCallsOnly,
    sink,
    { signal },
  );
  console.log(
    `kept ${kept} calls of 30 s or more; calls table has ${sink.manifest?.tables.calls?.rows} rows in ${out}`,
  );
} finally {
  await sim?.close();
}
