/**
 * Scenario 4 (issue 7): 10% of calls in odd but possible shapes (fields missing, null where
 * objects are expected, `interactions: false`, numbers as strings, 200 kB transcripts with NUL
 * and emoji, unknown nested fields, `=cmd` text, ids as numeric strings, hostile path-like values)
 * plus a few really broken records (no id, not an object). Every call is exported, or quarantined
 * and counted; the run completes; every format stays readable, odd text round-trips unchanged.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BROKEN_ODD_SHAPES,
  ODD_SHAPES,
  type OddShape,
  type RunningSimulator,
  startSimulator,
} from '@omnidim-stream/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  checkDataset,
  compareIds,
  DuckReader,
  FORMATS,
  type Format,
  findInDataset,
  listFiles,
} from './harness/dataset.js';
import { runCliInProcess } from './harness/run-cli.js';
import { describeRun, exportArgv, findKeyLeaks, keyEnv, summaryOf, tempDir } from './harness/scenario.js';
import { LEAK_KEY, replayHint, SCALE, SETTINGS, scenarioSeed } from './harness/settings.js';

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

/** The served JSON of one call, as the API sends it (to compare odd text with what was exported). */
async function servedCall(s: RunningSimulator, id: number): Promise<Record<string, unknown>> {
  const res = await fetch(`${s.url}/calls/logs/${id}`, { headers: { authorization: `Bearer ${s.apiKey}` } });
  const body = (await res.json()) as { call_log_data: Record<string, unknown>[] };
  return body.call_log_data[0] as Record<string, unknown>;
}

const CASES: [Format, string, OddShape[]][] = [
  ...FORMATS.map((f): [Format, string, OddShape[]] => [f, 'every odd shape', [...ODD_SHAPES]]),
  // Only non-objects (null, a string, an array, a number; ~10% of calls): every variant is then
  // almost surely served, whatever the seed (a null record crashed core's drift reconciler).
  ['parquet', 'not-an-object only', ['not-an-object']],
  // The same without 'not-an-object' records: isolates them from every other shape.
  ...FORMATS.map((f): [Format, string, OddShape[]] => [
    f,
    'every shape but not-an-object',
    ODD_SHAPES.filter((s) => s !== 'not-an-object'),
  ]),
];

/** Count of each `reason` in the run's quarantine file ({} when there is none). */
async function quarantineReasons(
  out: string,
  file: string | null | undefined,
  hint: string,
): Promise<Record<string, number>> {
  if (file === null || file === undefined) return {};
  const counts: Record<string, number> = {};
  const text = await readFile(join(out, file), 'utf8');
  for (const line of text.split('\n').filter(Boolean)) {
    const entry = JSON.parse(line) as { reason?: unknown };
    if (typeof entry.reason !== 'string')
      throw new Error(`quarantine line without a reason: ${line.slice(0, 200)} ${hint}`);
    counts[entry.reason] = (counts[entry.reason] ?? 0) + 1;
  }
  return counts;
}

describe('scenario 4: odd records', () => {
  it.each(CASES)(
    '%s, %s: odd shapes exported, broken records quarantined and counted, files readable',
    async (format, _label, oddShapes) => {
      const seed = scenarioSeed(4) + FORMATS.indexOf(format);
      sim = await startSimulator({
        seed,
        records: SETTINGS.records,
        apiKey: LEAK_KEY,
        oddRecords: { rate: 0.1, hugeTranscriptBytes: 200_000, shapes: oddShapes },
      });
      const expected = sim.ids();
      const shapes = sim.oddShapes();
      const broken = new Set([...shapes].filter(([, s]) => BROKEN_ODD_SHAPES.includes(s)).map(([id]) => id));
      const dir = await tempDir(`odd-${format}`);
      cleanups.push(dir.remove);
      const out = `${dir.path}/lake`;
      const hint = `${format} odd=${shapes.size} broken=${broken.size} ${replayHint()}`;

      const run = await runCliInProcess(
        exportArgv({ out, format, baseUrl: sim.url, pageSize: SETTINGS.pageSize, concurrency: 4 }),
        keyEnv(),
      );

      expect(run.code, describeRun(run)).toBe(0);
      const summary = summaryOf(run);
      await checkDataset(reader, out, format, hint);
      const exported = await reader.ids(out, format);
      const exportable = expected.filter((id) => !broken.has(id));
      expect(compareIds(exportable, exported), hint).toEqual({ missing: [], duplicated: [], unexpected: [] });
      expect(summary.quarantined, hint).toBe(broken.size);
      // Quarantined with its reason: one line per broken record in the run's quarantine file.
      const reasons = await quarantineReasons(out, summary.quarantineFile, hint);
      const wanted = { MISSING_ID: 0, NOT_AN_OBJECT: 0 } as Record<string, number>;
      for (const id of broken) wanted[shapes.get(id) === 'no-id' ? 'MISSING_ID' : 'NOT_AN_OBJECT']! += 1;
      expect(reasons, hint).toEqual(
        broken.size === 0 ? {} : Object.fromEntries(Object.entries(wanted).filter(([, n]) => n > 0)),
      );
      expect(summary.records, hint).toBe(expected.length);

      // Odd text survives unchanged: the huge transcript (NUL, emoji, CRLF) and the formula text.
      const huge = [...shapes].find(([id, s]) => s === 'huge-transcript' && expected.includes(id))?.[0];
      if (huge !== undefined) {
        const sent = (await servedCall(sim, huge))['call_conversation'] as string;
        const [row] = await reader.select(out, format, 'calls', 'call_conversation', `id = ${huge}`);
        const got = row?.['call_conversation'];
        expect(typeof got, hint).toBe('string');
        expect((got as string).length, `huge transcript length ${hint}`).toBe(sent.length);
        expect(got === sent, `huge transcript content (NUL, emoji, CRLF) ${hint}`).toBe(true);
      }
      const formula = [...shapes].find(([id, s]) => s === 'formula-text' && expected.includes(id))?.[0];
      if (formula !== undefined) {
        const sent = (await servedCall(sim, formula))['user_name'];
        const [row] = await reader.select(out, format, 'calls', 'user_name', `id = ${formula}`);
        const got = row?.['user_name'];
        expect(got, `formula text ${hint}`).toBe(sent);
      }
      expect(await findKeyLeaks(reader, out, format, [run]), hint).toEqual([]);
      // Quarantine and data files alike: webhook tokens masked.
      expect(await findInDataset(reader, out, format, [/secret_key_[0-9a-f]{32}/]), hint).toEqual([]);
      // Hostile values in call logs wrote nothing outside --out (the parent holds only lake/).
      expect(await listFiles(dir.path).then((f) => f.filter((p) => !p.startsWith('lake/'))), hint).toEqual(
        [],
      );
      console.log(
        `[e2e odd ${format} ${oddShapes.length} shapes ${SCALE}] calls=${expected.length} odd=${shapes.size} broken=${broken.size} quarantined=${summary.quarantined} exported=${exported.length} duplicates=0 missing=0 ${replayHint()}`,
      );
    },
    SETTINGS.timeoutMs,
  );
});
