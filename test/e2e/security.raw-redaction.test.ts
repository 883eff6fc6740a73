/**
 * Issue 13.2: `--raw` archives are redacted like the tables by default. The archive used to keep
 * every `secret_key_…` token (mode 0644, inside the lake, listed in the manifest) while the README
 * said tokens are masked. Now it gets the tables' redaction (tokens masked, `--redact-*` actions);
 * `convert` of the redacted archive still rebuilds the same tables; `--raw-unredacted` keeps the
 * call logs verbatim in a file only its owner can read.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { readManifest } from '@omnidim-stream/sinks';
import { DERIVED_COLUMNS } from '@omnidim-stream/transform';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DuckReader, findInDataset } from './harness/dataset.js';
import { runCliInProcess } from './harness/run-cli.js';
import { describeRun, exportArgv, keyEnv, tempDir } from './harness/scenario.js';
import { LEAK_KEY, replayHint, scenarioSeed } from './harness/settings.js';

/** Raw sensitive values the simulator generates (simulator/src/generate-call-log.ts). */
const RAW_TOKEN = /secret_key_[0-9a-f]{32}_/;
const PHONE = /\+(1415555|3491555|8134555|4930555)\d{4}/;

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

/** Exports with `flags` into a fresh lake; returns it and its raw archive (path and text). */
async function exportRaw(
  flags: string[],
): Promise<{ out: string; dir: string; archive: string; text: string }> {
  sim ??= await startSimulator({ seed: scenarioSeed(132), records: 60, apiKey: LEAK_KEY });
  const dir = await tempDir('raw');
  cleanups.push(dir.remove);
  const out = `${dir.path}/lake`;
  const run = await runCliInProcess(
    exportArgv({ out, format: 'ndjson', baseUrl: sim.url, pageSize: 25, extra: ['--raw', ...flags] }),
    keyEnv(),
  );
  expect(run.code, describeRun(run)).toBe(0);
  const [name] = await readdir(`${out}/raw`);
  const archive = `${out}/raw/${name}`;
  return { out, dir: dir.path, archive, text: gunzipSync(await readFile(archive)).toString('utf8') };
}

/**
 * Columns derived from the webhook payload: with `--redact-webhook-payloads` the archive no
 * longer holds the payload, so `convert` cannot derive them (README Security says so).
 */
const FROM_PAYLOAD = {
  calls: ['bulk_call_id', 'bulk_call_name'],
  webhooks: DERIVED_COLUMNS.webhooks.filter((c) => c.startsWith('payload_')),
};

/**
 * `convert` of the archive (no redaction flags) writes the rows the export wrote, but for the
 * columns derived from a redacted payload (`payloadRedacted`), which it leaves null.
 */
async function expectConvertRebuilds(
  out: string,
  dir: string,
  archive: string,
  payloadRedacted = false,
): Promise<void> {
  const converted = `${dir}/converted`;
  const run = await runCliInProcess(['convert', archive, '--out', converted, '--format', 'ndjson'], keyEnv());
  expect(run.code, describeRun(run)).toBe(0);
  for (const [table, key] of [
    ['calls', 'id'],
    ['webhooks', 'call_id, id'],
  ] as const) {
    const exported = await reader.select(out, 'ndjson', table, '*', `true ORDER BY ${key}`);
    const rebuilt = await reader.select(converted, 'ndjson', table, '*', `true ORDER BY ${key}`);
    expect(rebuilt.length, table).toBeGreaterThan(0);
    if (payloadRedacted) {
      for (const column of FROM_PAYLOAD[table]) {
        expect(new Set(rebuilt.map((r) => r[column])), column).toEqual(new Set([null]));
        for (const row of [...exported, ...rebuilt]) delete row[column];
      }
    }
    expect(rebuilt, `${table} ${replayHint()}`).toEqual(exported);
  }
}

describe('--raw archives', () => {
  it('are redacted like the tables by default; listed in the manifest; convert rebuilds the same tables', async () => {
    const { out, dir, archive, text } = await exportRaw([]);
    const hint = replayHint();
    expect(text, hint).not.toMatch(RAW_TOKEN);
    expect(text, hint).toContain('secret_key_[REDACTED]');
    expect(await findInDataset(reader, out, 'ndjson', [RAW_TOKEN]), hint).toEqual([]);
    const manifest = await readManifest(out);
    expect(manifest?.sidecars?.map((s) => s.kind)).toContain('raw');

    await expectConvertRebuilds(out, dir, archive);
  });

  it('get the --redact-* actions of the tables; convert still rebuilds the same tables', async () => {
    const { out, dir, archive, text } = await exportRaw([
      '--redact-phone-numbers',
      '--redact-webhook-payloads',
      '--redact-response-bodies',
    ]);
    expect(text, replayHint()).not.toMatch(PHONE);
    expect(text, replayHint()).not.toMatch(RAW_TOKEN);
    expect(text, replayHint()).not.toContain('call_sid');
    await expectConvertRebuilds(out, dir, archive, true);
  });

  it('--raw-unredacted keeps them verbatim, mode 0600; the tables stay masked', async () => {
    const { out, archive, text } = await exportRaw(['--raw-unredacted']);
    expect(text, replayHint()).toMatch(RAW_TOKEN);
    expect((await stat(archive)).mode & 0o777).toBe(0o600);
    const found = await findInDataset(reader, out, 'ndjson', [RAW_TOKEN]);
    expect(found.length).toBeGreaterThan(0);
    expect(
      found.filter((f) => !f.file.startsWith('raw/')),
      replayHint(),
    ).toEqual([]);
  });

  it('--raw-unredacted without --raw: exit 2 naming the flag, nothing requested or written', async () => {
    sim = await startSimulator({ seed: 1, records: 5, apiKey: LEAK_KEY });
    const dir = await tempDir('raw-usage');
    cleanups.push(dir.remove);
    const run = await runCliInProcess(
      exportArgv({
        out: `${dir.path}/lake`,
        format: 'ndjson',
        baseUrl: sim.url,
        pageSize: 5,
        extra: ['--raw-unredacted'],
      }),
      keyEnv(),
    );
    expect(run.code, describeRun(run)).toBe(2);
    expect(run.stderr).toContain('--raw-unredacted');
    expect(sim.stats.requests).toBe(0);
  });
});
