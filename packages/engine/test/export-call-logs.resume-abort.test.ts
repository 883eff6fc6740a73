import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ExportEvent, exportCallLogs } from '../src/index.js';
import { callsOf, duck, engineScope } from './helpers.js';

describe('exportCallLogs: aborted after a checkpoint, the same call resumes', () => {
  const scope = engineScope();

  it('commits nothing on abort, then resumes from the checkpoint: every call exactly once', async () => {
    const sim = await scope.start({ records: 300, seed: 21 });
    const lake = await scope.lake();
    const options = {
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      outDir: lake,
      tables: ['calls' as const],
      pageSize: 20,
      concurrency: 1,
      checkpointPages: 3,
    };
    const controller = new AbortController();
    let checkpointCalls = 0;
    const first = exportCallLogs({
      ...options,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'checkpoint' && checkpointCalls === 0) {
          checkpointCalls = event.calls;
          controller.abort();
        }
      },
    });
    await expect(first).rejects.toMatchObject({ name: 'AbortError' });
    expect(checkpointCalls).toBe(60);
    // Nothing was published: no manifest, no calls table.
    await expect(access(join(lake, '_manifest.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    const requestsBefore = sim.stats.listRequests;

    const events: ExportEvent['type'][] = [];
    const second = await exportCallLogs({ ...options, onEvent: (e) => events.push(e.type) });
    expect(events).toContain('resume');
    expect(second.resumedFrom).not.toBeNull();
    expect(second.resumedCalls).toBe(60);
    expect(second.completeness).toMatchObject({ ended: true, missing: 0, expected: 300 });
    // The rerun did not read the checkpointed pages again (15 pages in all, 3 of them skipped).
    expect(sim.stats.listRequests - requestsBefore).toBeLessThanOrEqual(13);
    const [row] = await duck(`SELECT count(*) AS n, count(DISTINCT id) AS ids FROM ${callsOf(lake)}`);
    expect({ n: Number(row?.['n']), ids: Number(row?.['ids']) }).toEqual({ n: 300, ids: 300 });
    expect(second.counts['calls']).toBe(300);
  });
});
