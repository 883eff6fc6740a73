/**
 * Composing a pipeline in code: source → transform → a custom filter stage → a sink, with
 * `pipeline()` and an AbortSignal (Ctrl-C or a time budget, 60 s by default, stops it; nothing partial
 * is committed).
 *
 *   OMNIDIM_API_KEY=… node --conditions=source --import tsx examples/compose-pipeline.ts ./lake [budget-ms]
 *
 * (A third argument, page latency in ms, slows the built-in simulator down: its test uses it to
 * see the budget fire.)
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
// The time budget, in ms (default a minute); its test sets a tiny one to see the budget fire.
const budgetMs = Number(process.argv[3] ?? 60_000);
const sim = process.env['OMNIDIM_API_KEY']
  ? undefined
  : await startSimulator({ records: 400, pageLatencyMs: Number(process.argv[4] ?? 0) });
const apiKey = sim?.apiKey ?? process.env['OMNIDIM_API_KEY'] ?? '';
const baseUrl = sim?.url ?? process.env['OMNIDIM_BASE_URL'];

// Ctrl-C aborts the whole pipeline; so does running longer than the budget. The budget is a
// timer this file holds and clears, not `AbortSignal.any([…, AbortSignal.timeout(ms)])`: on
// Node 20 the timeout signal inside `any()` can be garbage-collected before it fires, and the
// budget then silently never applies (nodejs/node#57736).
const controller = new AbortController();
process.once('SIGINT', () => controller.abort(new Error('interrupted (SIGINT)')));
const budget = setTimeout(
  () => controller.abort(new Error(`time budget of ${budgetMs} ms exceeded`)),
  budgetMs,
);
const signal = controller.signal;

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
} catch (error) {
  if (!signal.aborted) throw error;
  // Aborted: nothing was committed (the sink publishes only at the end).
  console.error(`stopped: ${(signal.reason as Error).message}; nothing committed in ${out}`);
  process.exitCode = 1;
} finally {
  clearTimeout(budget);
  await sim?.close();
}
