/**
 * Issue 13.4, end to end: a top-level `__proto__` field served by the API lands in `calls.extra`
 * like any other unknown field, both on `export` (core's JSON.parse) and on `convert` of the
 * `--raw` archive (stream-json's assembler), read back with DuckDB.
 */
import { readdir } from 'node:fs/promises';
import { type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DuckReader } from './harness/dataset.js';
import { runCliInProcess } from './harness/run-cli.js';
import { describeRun, exportArgv, keyEnv, tempDir } from './harness/scenario.js';
import { LEAK_KEY } from './harness/settings.js';

let reader: DuckReader;
let sim: RunningSimulator | undefined;
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  reader = await DuckReader.open();
});
afterAll(() => reader.close());
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  for (const c of cleanups.splice(0)) await c();
});

describe('a top-level __proto__ field', () => {
  it('is in calls.extra after export and after convert of the raw archive', async () => {
    sim = await startSimulator({ seed: 13, records: 20, apiKey: LEAK_KEY });
    const [id] = sim.ids();
    sim.updateCalls([id!], (log) => {
      // An own property, as JSON.parse makes it from the API's text.
      Object.defineProperty(log, '__proto__', {
        value: { note: 'kept' },
        enumerable: true,
        writable: true,
        configurable: true,
      });
    });
    const dir = await tempDir('proto');
    cleanups.push(dir.remove);
    const out = `${dir.path}/lake`;
    const run = await runCliInProcess(
      exportArgv({ out, format: 'ndjson', baseUrl: sim.url, pageSize: 10, extra: ['--raw'] }),
      keyEnv(),
    );
    expect(run.code, describeRun(run)).toBe(0);
    const note = `json_extract_string(extra, '$."__proto__".note') AS note`;
    expect(await reader.select(out, 'ndjson', 'calls', note, `id = ${id}`)).toEqual([{ note: 'kept' }]);

    const [archive] = await readdir(`${out}/raw`);
    const converted = `${dir.path}/converted`;
    const again = await runCliInProcess(
      ['convert', `${out}/raw/${archive}`, '--out', converted, '--format', 'ndjson', '--json'],
      keyEnv(),
    );
    expect(again.code, describeRun(again)).toBe(0);
    expect(await reader.select(converted, 'ndjson', 'calls', note, `id = ${id}`)).toEqual([{ note: 'kept' }]);
  });
});
