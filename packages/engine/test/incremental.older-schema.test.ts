import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { exportCallLogs } from '@omnidim-stream/engine';
import { describe, expect, it } from 'vitest';
import { callsOf, duck, engineScope } from './helpers.js';

describe('an incremental run onto a lake of an older schema version (issue 17)', () => {
  const scope = engineScope();

  it('replaces the whole lake instead of refusing to mix versions, and says why', async () => {
    const sim = await scope.start({ records: 120 });
    const lake = await scope.lake();
    const stateFile = join(dirname(lake), 'state.json');
    const options = {
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      outDir: lake,
      incremental: { stateFile, lookbackMs: 0 },
    };
    await exportCallLogs(options);
    // What a lake written before call_date became a DATE looks like to the next run.
    const manifestPath = join(lake, '_manifest.json');
    const manifest = JSON.parse(await readFile(manifestPath, 'utf8'));
    manifest.tables.calls.schemaVersion = 1;
    await writeFile(manifestPath, JSON.stringify(manifest));
    const notes: string[] = [];
    await exportCallLogs({
      ...options,
      onEvent: (event) => {
        if (event.type === 'plan' && event.note) notes.push(event.note);
      },
    });
    expect(notes).toEqual([expect.stringContaining('calls of schema version 1 (this version writes 2)')]);
    const after = JSON.parse(await readFile(manifestPath, 'utf8'));
    expect(after.mode).toBe('overwrite');
    expect(after.tables.calls.schemaVersion).toBe(2);
    const [count] = await duck(`SELECT count(*) AS n, count(DISTINCT id) AS ids FROM ${callsOf(lake)}`);
    expect(count).toEqual({ n: '120', ids: '120' });
  }, 120_000);
});
