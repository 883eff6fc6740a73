/**
 * The worker-thread path of a run's flatten stage (issue 21): call logs go to the flatten workers
 * in batches, and what comes back to the sink is the workers' staged files
 * (adopted-parts requests), in order with the checkpoint requests. At each checkpoint mark and at
 * the end of input every worker flushes after all it was sent (ordered hand-back), the
 * quarantined records of that span are written in source order (workers' and this thread's
 * merged by their place in the run), then the mark's checkpoint request follows: the sink
 * checkpoints and commits exactly what the main-thread path (`flattenedRows`) would have.
 *
 * A call log core parsed with `keepPageBody` goes as its page: the page's body once (its bytes
 * copied into an ArrayBuffer that is transferred, not cloned) and the call's place in it; the
 * worker decodes and parses the page. Serialising each call log again here cost ~135 µs per call
 * on this thread (JSON.stringify + postMessage, measured: issue 21), about as much as fetching and
 * parsing it; posting the page's decoded text instead cost ~15 ms a page on each side.
 * Any other call log (no page text: a resumed archive, a converted file) goes as its own JSON.
 */

import { idOf, materializeRecord, recordSourceOf } from '@omnidim-stream/core';
import { type AdoptedPartsRequest, adoptedPartsRequest, type CheckpointRequest } from '@omnidim-stream/sinks';
import { maskSecretsDeep, type ResolvedTransformOptions, tryFlattenCallLog } from '@omnidim-stream/transform';
import type { FlattenWorkers } from './flatten-workers.js';
import { CheckpointMark, checkpointAt } from './pipeline-checkpoint.js';
import type { StagedLog } from './staged-log.js';
import { StrayOldCall } from './stray-old-call.js';
import type { IndexedQuarantine, PageId } from './worker-messages.js';

/** Call logs per batch: about one page, so a batch's JSON text stays around a megabyte. */
const BATCH_CALLS = 128;

/**
 * Test hook (documented in docs/testing.md): the id this thread reports to the worker for the
 * call at this place in the run is altered, as a scanner that misread the page would, to check
 * that the worker's cross-check fails the run with nothing committed. Never set in production.
 */
const SKEW_ENV = 'OMNIDIM_STREAM_TEST_WORKER_ID_SKEW_AT';

/** What {@link workerRows} works with. */
export interface WorkerRowsContext {
  workers: FlattenWorkers;
  transform: ResolvedTransformOptions;
  /** Call logs that reached the transform, counted here (resumed ones included). */
  counted: { records: number };
  quarantine: StagedLog;
  raw: StagedLog | undefined;
  /** The run's resume fingerprint; without one, marks are not checkpoints (and nothing flushes there). */
  fingerprint: string | undefined;
}

/** The source through the flatten workers (see the module comment). */
export async function* workerRows(
  source: AsyncIterable<unknown>,
  ctx: WorkerRowsContext,
): AsyncGenerator<AdoptedPartsRequest | CheckpointRequest> {
  const skewAt = Number(process.env[SKEW_ENV] ?? Number.NaN);
  let batch: string[] = [];
  let indices: number[] = [];
  /** The page being collected: its body, the calls' places in it and in the run, what this thread saw. */
  let page:
    | { body: Uint8Array; picks: number[]; indices: number[]; count: number; ids: PageId[] }
    | undefined;
  /** Quarantined on this thread since the last hand-back (stray calls, non-objects). */
  let local: IndexedQuarantine[] = [];
  const sendPage = async () => {
    if (page === undefined) return;
    // A copy: the page's other calls may still be sent later (after a checkpoint's hand-back).
    const body = new Uint8Array(page.body);
    const { picks, indices, count, ids } = page;
    const message = { type: 'page' as const, body, picks, indices, count, ids };
    page = undefined;
    await ctx.workers.dispatch(message, [body.buffer]);
  };
  const send = async () => {
    await sendPage();
    if (batch.length === 0) return;
    const message = { type: 'batch' as const, records: batch, indices };
    batch = [];
    indices = [];
    await ctx.workers.dispatch(message);
  };
  /** Queues one call log (an object) for the workers. */
  const queue = async (item: object, index: number) => {
    const source = recordSourceOf(item);
    if (source !== undefined) {
      if (page !== undefined && page.body !== source.body) await sendPage();
      page ??= { body: source.body, picks: [], indices: [], count: source.count, ids: [] };
      page.picks.push(source.index);
      page.indices.push(index);
      const id = idOf(item);
      page.ids.push(index === skewAt ? `${String(id)}-skewed` : id);
      return;
    }
    // Core's records are parsed JSON: their JSON text is the same record for the worker.
    batch.push(JSON.stringify(materializeRecord(item)));
    indices.push(index);
    if (batch.length >= BATCH_CALLS) await send();
  };
  async function* handBack(): AsyncGenerator<AdoptedPartsRequest> {
    await send();
    const { flushes, quarantine } = await ctx.workers.flush();
    const entries = [...local, ...quarantine].sort((a, b) => a.index - b.index);
    local = [];
    for (const q of entries) await ctx.quarantine.write(q.entry);
    for (const flush of flushes) yield adoptedPartsRequest(flush);
  }
  try {
    yield* rowsOf();
  } catch (error) {
    // Stop the workers before the sink cleans the staging dir they write in.
    await ctx.workers.terminate();
    throw error;
  }
  async function* rowsOf(): AsyncGenerator<AdoptedPartsRequest | CheckpointRequest> {
    for await (const item of source) {
      if (item instanceof CheckpointMark) {
        const fingerprint = ctx.fingerprint;
        if (fingerprint === undefined) continue;
        yield* handBack();
        const { quarantine, raw } = ctx;
        yield await checkpointAt(item, { fingerprint, records: ctx.counted.records, quarantine, raw });
        continue;
      }
      const index = ctx.counted.records++;
      if (item instanceof StrayOldCall) {
        const entry = { reason: item.reason, detail: item.detail, record: maskSecretsDeep(item.record) };
        local.push({ index, entry });
        continue;
      }
      if (typeof item !== 'object' || item === null) {
        // Not JSON text a worker could parse back (undefined, a function…): judged here, the same way.
        const result = tryFlattenCallLog(item, ctx.transform);
        if (!result.ok) {
          local.push({ index, entry: result.quarantine });
          continue;
        }
      }
      await queue(item as object, index);
    }
    yield* handBack();
  }
}
