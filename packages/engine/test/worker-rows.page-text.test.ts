/**
 * Issue 21: the flatten workers get each page's body once (with the calls' places in it),
 * not every call serialised again on the main thread, when core kept the page body; call logs
 * without a page body (a resumed archive, a converted file) still go as their own JSON. The
 * pool here records what would be posted; the calls come from the simulator through core.
 */
import { callLogs } from '@omnidim-stream/core';
import { type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { resolveTransformOptions } from '@omnidim-stream/transform';
import { afterEach, describe, expect, it } from 'vitest';
import type { FlattenWorkers } from '../src/flatten-workers.js';
import type { WorkerBatch } from '../src/worker-messages.js';
import { workerRows } from '../src/worker-rows.js';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** Runs `source` through workerRows with a pool that only records the posted batches. */
async function posted(source: AsyncIterable<unknown>): Promise<WorkerBatch[]> {
  const messages: WorkerBatch[] = [];
  const pool = {
    dispatch: async (message: WorkerBatch) => {
      messages.push(message);
    },
    flush: async () => ({ flushes: [], quarantine: [] }),
    terminate: async () => undefined,
  };
  const rows = workerRows(source, {
    workers: pool as unknown as FlattenWorkers,
    transform: resolveTransformOptions({ timeZone: 'UTC' }),
    counted: { records: 0 },
    quarantine: { write: async () => undefined } as never,
    raw: undefined,
    fingerprint: undefined,
  });
  for await (const _ of rows) {
    // adopted-parts requests of the (empty) flushes
  }
  return messages;
}

describe('workerRows: what the flatten workers are sent', () => {
  it('one message per page: its body and every call of it, in order, nothing serialised again', async () => {
    sim = await startSimulator({ records: 300, seed: 5 });
    const messages = await posted(
      callLogs({ apiKey: sim.apiKey, baseUrl: sim.url, pageSize: 50, keepPageBody: true }),
    );
    expect(messages.map((m) => m.type)).toEqual(Array(6).fill('page'));
    const expectedIds = sim.ids();
    const sent: unknown[] = [];
    for (const m of messages) {
      if (m.type !== 'page') continue;
      const list = (JSON.parse(Buffer.from(m.body).toString('utf8')) as { call_log_data: { id: unknown }[] })
        .call_log_data;
      expect(m.picks).toEqual([...Array(50).keys()]);
      sent.push(...m.picks.map((p) => list[p]!.id));
    }
    expect(sent).toEqual(expectedIds);
    expect(messages.flatMap((m) => m.indices)).toEqual([...Array(300).keys()]);
  });

  it('call logs without a page body go as their own JSON, each once', async () => {
    sim = await startSimulator({ records: 130, seed: 5 });
    const messages = await posted(callLogs({ apiKey: sim.apiKey, baseUrl: sim.url, pageSize: 50 }));
    expect(messages.every((m) => m.type === 'batch')).toBe(true);
    const ids = messages.flatMap((m) => (m.type === 'batch' ? m.records.map((r) => JSON.parse(r).id) : []));
    expect(ids).toEqual(sim.ids());
  });
});
