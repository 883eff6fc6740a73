/**
 * Issue 13.2: `--raw` archives are redacted like the tables by default. The archive used to keep
 * every `secret_key_…` token (mode 0644, inside the lake, listed in the manifest) while the README
 * said tokens are masked. Now it gets the tables' redaction (tokens masked, `--redact-*` actions);
 * `convert` of the redacted archive still rebuilds the same tables; `--raw-unredacted` keeps the
 * call logs verbatim in a file only its owner can read. Tokens used as object keys or carrying
 * base64 characters are masked whole, in the tables and in the archive (hostile review).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { generateCallLog, type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
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

/**
 * A `secret_key_` followed by a token character: a token that survived. (Not "anything but
 * the mask": Parquet statistics store the mask cut to 16 bytes, `{"secret_key_[RE`.)
 */
const SURVIVING_TOKEN = /secret_key_[A-Za-z0-9_+/=.-]/;
/** The planted tokens' own text, in case a survivor lost its prefix (the old partial mask). */
const PLANTED = ['KEYASNAME123', 'TOPLEVEL789', 'NESTED456', 'dEf/GhI', 'JkL.MnO'];
const B64_TOKEN = 'secret_key_aBc+dEf/GhI=JkL.MnO';

/**
 * `GET /api/v1/calls/logs` on 127.0.0.1 serving simulator calls (newest first) in which tokens
 * are object keys (in a JSON column, as an unknown top-level field, nested in one) and carry
 * base64 characters: what a hostile review found surviving (repro/tokens.sh).
 */
async function startTokenServer(records: number): Promise<{ url: string; close: () => Promise<void> }> {
  const seed = scenarioSeed(133);
  const list = Array.from({ length: records }, (_, i) => {
    const call: Record<string, unknown> = { ...generateCallLog(seed, records - 1 - i) };
    if (i % 3 === 0) {
      call['extracted_variables'] = { secret_key_KEYASNAME123: 1, sid: `${B64_TOKEN}.` };
      call['secret_key_TOPLEVEL789'] = 'a field named with a token';
      call['vendor_meta'] = { secret_key_NESTED456: { [B64_TOKEN]: 2 } };
    }
    return call;
  });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const pageno = Number(url.searchParams.get('pageno') ?? '1');
    const pagesize = Number(url.searchParams.get('pagesize') ?? '30');
    const ok = req.headers.authorization === `Bearer ${LEAK_KEY}` && url.pathname === '/api/v1/calls/logs';
    const body = ok
      ? { call_log_data: list.slice((pageno - 1) * pagesize, pageno * pagesize), total_records: list.length }
      : { error: 'Unauthorized' };
    res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('secret tokens as object keys or with base64 characters', () => {
  it('survive neither in the tables (read back with DuckDB) nor in the raw archive', async () => {
    const server = await startTokenServer(12);
    cleanups.push(server.close);
    const dir = await tempDir('raw-tokens');
    cleanups.push(dir.remove);
    const out = `${dir.path}/lake`;
    const run = await runCliInProcess(
      exportArgv({ out, format: 'parquet', baseUrl: server.url, pageSize: 5, extra: ['--raw'] }),
      keyEnv(),
    );
    expect(run.code, describeRun(run)).toBe(0);
    // Every file under the lake: bytes, the gunzipped raw archive, and every row as DuckDB reads it.
    expect(await findInDataset(reader, out, 'parquet', [SURVIVING_TOKEN, ...PLANTED])).toEqual([]);
    // The planted records were written (masked), not dropped: the keys are there, as the mask.
    const rows = await reader.select(
      out,
      'parquet',
      'calls',
      'count(*) AS n',
      `extracted_variables LIKE '%"secret_key_[REDACTED]":1%' AND extra LIKE '%secret_key_[REDACTED]%'`,
    );
    expect(Number(rows[0]?.['n'])).toBe(4);
    const [name] = await readdir(`${out}/raw`);
    const text = gunzipSync(await readFile(`${out}/raw/${name}`)).toString('utf8');
    expect(text.split('"secret_key_[REDACTED]":').length - 1).toBeGreaterThanOrEqual(4 * 4);
  });
});
