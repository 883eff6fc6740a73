/**
 * The body of one flatten worker thread (issue 21; started by flatten-workers.ts): it parses the
 * batches of call logs it is sent (a page's body, or each call's JSON text: re-parsing is ~3× cheaper
 * than a structured clone of the objects), flattens each with the same `tryFlattenCallLog` as the main-thread path, and
 * writes the rows into the run's staging dir with its own PartsWriter. A flush closes and fsyncs
 * its files and hands back what it staged plus its quarantined records (with their place in the
 * run, so the main thread writes them in source order). Messages are handled one at a time, in
 * the order they were posted (a port is FIFO), so a flush covers every batch posted before it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { decodeUtf8, InternalError, idOf } from '@omnidim-stream/core';
import { PartsWriter, warmUpWriterCodec } from '@omnidim-stream/sinks';
import { resolveTransformOptions, tryFlattenCallLog } from '@omnidim-stream/transform';
import { serializeWorkerError } from './worker-error.js';
import type { IndexedQuarantine, ToWorker, WorkerBatch, WorkerInit } from './worker-messages.js';

type WorkerPage = Extract<WorkerBatch, { type: 'page' }>;

/**
 * Test hook (documented in docs/testing.md): fail as a bug would after this many calls, to check
 * that a worker's failure fails the run with nothing committed; `start` fails the worker's start
 * (as a writer that cannot load would), `exit` ends its thread at start. Never set in production.
 */
const FAULT_ENV = 'OMNIDIM_STREAM_TEST_WORKER_FAULT_AFTER';

/** The call logs of a batch, parsed: each one's JSON text, or the picked ones of a page's text. */
function callLogsOf(message: WorkerBatch): unknown[] {
  if (message.type === 'batch') return message.records.map((text) => JSON.parse(text) as unknown);
  // The same body core validated (parsed, or scanned with shallowRecords): an object with a
  // call_log_data array. Checked rather than trusted: see crossCheck.
  const page = JSON.parse(
    decodeUtf8(Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength)),
  ) as { call_log_data?: unknown } | null;
  const list = page?.call_log_data;
  const picked = Array.isArray(list) ? message.picks.map((pick) => list[pick]) : [];
  crossCheck(message, list, picked);
  return picked;
}

/**
 * The main thread decided paging, drift and checkpoints from its own reading of this page (a
 * scan, page-scan.ts, when core runs with shallowRecords): the worker's parse must find the same
 * list length and the same id at every pick, or the rows written would not be the calls the run
 * counted. A disagreement is a bug, and fails the run (InternalError: nothing committed).
 */
function crossCheck(message: WorkerPage, list: unknown, picked: unknown[]): void {
  const length = Array.isArray(list) ? list.length : undefined;
  if (length !== message.count) {
    throw new InternalError(
      `flatten worker: the page's call_log_data has ${length ?? 'no array, so no'} calls where the main thread saw ${message.count}`,
    );
  }
  for (let i = 0; i < picked.length; i++) {
    const id = idOf(picked[i]);
    if (id !== message.ids[i]) {
      throw new InternalError(
        `flatten worker: call_log_data[${message.picks[i]}] has id ${JSON.stringify(id)} where the main thread saw ${JSON.stringify(message.ids[i])}`,
      );
    }
  }
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('flatten-worker.ts runs only as a worker thread');
  const init = workerData as WorkerInit;
  const transform = resolveTransformOptions(init.transform);
  const writer = new PartsWriter(init.config);
  const faultAfter = Number(process.env[FAULT_ENV] ?? Number.NaN);
  let calls = 0;
  let quarantine: IndexedQuarantine[] = [];
  let failed = false;
  // The writer's module, then its codec's one-time cost (sinks writer-warm-up.ts), both paid while
  // the main thread waits for page 1: the pool does not wait for its workers (flatten-workers.ts).
  let chain = writer.open().then(() => {
    const fault = process.env[FAULT_ENV];
    if (fault === 'exit') process.exit(7);
    if (fault === 'start') throw new Error(`injected worker fault at start (${FAULT_ENV})`);
    return warmUpWriterCodec(init.config.writer);
  });

  const handle = async (message: ToWorker): Promise<void> => {
    if (message.type === 'flush') {
      const flush = await writer.flush();
      port.postMessage({ type: 'flushed', flush, quarantine });
      quarantine = [];
      return;
    }
    const records = callLogsOf(message);
    for (let i = 0; i < records.length; i++) {
      if (++calls > faultAfter)
        throw new Error(`injected worker fault after ${faultAfter} calls (${FAULT_ENV})`);
      const result = tryFlattenCallLog(records[i], transform);
      if (result.ok) await writer.write(result.value);
      else quarantine.push({ index: message.indices[i]!, entry: result.quarantine });
    }
    port.postMessage({ type: 'done' });
  };

  port.on('message', (message: ToWorker) => {
    chain = chain
      .then(() => (failed ? undefined : handle(message)))
      .catch((error: unknown) => {
        if (failed) return;
        failed = true;
        port.postMessage({ type: 'error', error: serializeWorkerError(error) });
        // Half-written files stay in the staging dir: the run's cleanup (or resume) owns them.
        return writer.destroy().catch(() => undefined);
      });
  });
  chain = chain.catch((error: unknown) => {
    failed = true;
    port.postMessage({ type: 'error', error: serializeWorkerError(error) });
  });
}

void main();
