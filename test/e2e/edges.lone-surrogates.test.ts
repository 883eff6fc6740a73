/**
 * Issue 13.1: lone UTF-16 surrogates in the API's text (sent as `\ud800` escapes) made a whole
 * NDJSON file unreadable by DuckDB ("no low surrogate in string") while Parquet and CSV stored
 * U+FFFD. Now every format stores U+FFFD: in text columns, in keys and values of `extra` and of
 * JSON-typed columns, in a turn, in the `--raw` archive and in the quarantine sidecar. Every file
 * is read back by DuckDB, and the three formats give the same values.
 */
import { readdir } from 'node:fs/promises';
import { type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkDataset, DuckReader, FORMATS, type Format } from './harness/dataset.js';
import { runCliInProcess } from './harness/run-cli.js';
import { describeRun, exportArgv, keyEnv, summaryOf, tempDir } from './harness/scenario.js';
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

const HIGH = '\ud800';
const LOW = '\udc00';
const R = '\ufffd';

/** What DuckDB must read back, whatever the format. */
const EXPECTED = {
  bot_name: `bot${R}name${R}`,
  extracted_variables: JSON.stringify({ [`k${R}ey`]: `v${R}`, pair: '\ud83d\ude00' }),
  extra: JSON.stringify({ [`x_field${R}`]: `val${R}` }),
  user_query: `hello${R}`,
};

describe('lone surrogates', () => {
  it('are U+FFFD in every format, the raw archive and the quarantine; every file reads in DuckDB', async () => {
    sim = await startSimulator({ seed: 131, records: 30, apiKey: LEAK_KEY });
    const [id, broken] = sim.ids();
    sim.updateCalls([id!], (log) => {
      log['bot_name'] = `bot${HIGH}name${LOW}`;
      log['extracted_variables'] = { [`k${LOW}ey`]: `v${HIGH}`, pair: '\ud83d\ude00' };
      log[`x_field${HIGH}`] = `val${LOW}`;
      const [turn] = log['interactions'] as Record<string, unknown>[];
      turn!['user_query'] = `hello${HIGH}`;
    });
    // A record too broken to be a row (no id), carrying a lone surrogate into the quarantine.
    sim.updateCalls([broken!], (log) => {
      delete log['id'];
      log['bot_name'] = `quarantined${HIGH}`;
    });

    const seen: Record<string, unknown>[] = [];
    for (const format of FORMATS) {
      const dir = await tempDir(`surrogate-${format}`);
      cleanups.push(dir.remove);
      const out = `${dir.path}/lake`;
      const run = await runCliInProcess(
        exportArgv({ out, format, baseUrl: sim.url, pageSize: 10, extra: ['--raw'] }),
        keyEnv(),
      );
      expect(run.code, describeRun(run)).toBe(0);
      expect(summaryOf(run).quarantined).toBe(1);
      await checkDataset(reader, out, format, format);
      const [call] = await reader.select(
        out,
        format,
        'calls',
        'bot_name, extracted_variables, extra',
        `id = ${id}`,
      );
      const [turn] = await reader.select(
        out,
        format,
        'interactions',
        'user_query',
        `call_id = ${id} AND interaction_sequence = 1`,
      );
      const row = { ...call, ...turn };
      expect(row, format).toEqual(EXPECTED);
      seen.push(row);
      await expectSidecarsReadable(out, format, id!);
    }
    expect(seen[1]).toEqual(seen[0]);
    expect(seen[2]).toEqual(seen[0]);
  });
});

/** The raw archive and the quarantine file are NDJSON DuckDB reads, with U+FFFD in them. */
async function expectSidecarsReadable(out: string, format: Format, id: number): Promise<void> {
  const [archive] = await readdir(`${out}/raw`);
  const raw = await reader.query(
    `SELECT bot_name FROM read_json('${out}/raw/${archive}', format = 'newline_delimited') WHERE id = ${id}`,
  );
  expect(raw, `${format} raw`).toEqual([{ bot_name: EXPECTED.bot_name }]);
  const [quarantine] = await readdir(`${out}/_quarantine`);
  const q = await reader.query(
    `SELECT record.bot_name AS bot_name FROM read_json('${out}/_quarantine/${quarantine}', format = 'newline_delimited')`,
  );
  expect(q, `${format} quarantine`).toEqual([{ bot_name: `quarantined${R}` }]);
}
