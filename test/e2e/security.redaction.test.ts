/**
 * Security checks (issue 7): webhook payload tokens (`secret_key_…`) are masked by default, and
 * the redaction flags take effect, in all three formats. Checked on every row as DuckDB reads it
 * and on the stored bytes of every file under --out.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkDataset, DuckReader, FORMATS, findInDataset } from './harness/dataset.js';
import { runCliInProcess } from './harness/run-cli.js';
import { describeRun, exportArgv, findKeyLeaks, keyEnv, tempDir } from './harness/scenario.js';
import { LEAK_KEY, replayHint, SETTINGS, scenarioSeed } from './harness/settings.js';

/** Raw sensitive values the simulator generates (simulator/src/generate-call-log.ts). */
const RAW_TOKEN = /secret_key_[0-9a-f]{32}_/;
const PHONE = /\+(1415555|3491555|8134555|4930555)\d{4}/;
const EMAIL = /(demo@example\.com|zoe\.mueller@example\.de)/;
const SIGNED_URL = /X-Amz-Signature=[0-9a-f]{64}/;

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

describe('security: redaction in every format', () => {
  it.each(FORMATS)(
    '%s: default masks secret tokens and keeps the rest',
    async (format) => {
      sim = await startSimulator({ seed: scenarioSeed(7), records: 120, apiKey: LEAK_KEY });
      const dir = await tempDir(`mask-${format}`);
      cleanups.push(dir.remove);
      const out = `${dir.path}/lake`;
      const run = await runCliInProcess(
        exportArgv({ out, format, baseUrl: sim.url, pageSize: 25 }),
        keyEnv(),
      );
      const hint = `${describeRun(run)} ${replayHint()}`;
      expect(run.code, hint).toBe(0);
      await checkDataset(reader, out, format, hint);
      expect(await findInDataset(reader, out, format, [RAW_TOKEN]), hint).toEqual([]);
      // Masked, not dropped: the payloads are there with the placeholder, and phone numbers kept.
      const found = await findInDataset(reader, out, format, ['secret_key_[REDACTED]', PHONE]);
      expect(new Set(found.map((f) => f.needle)), hint).toEqual(
        new Set(['secret_key_[REDACTED]', String(PHONE)]),
      );
      expect(await findKeyLeaks(reader, out, format, [run]), hint).toEqual([]);
    },
    SETTINGS.timeoutMs,
  );

  it.each(FORMATS)(
    '%s: every redaction flag removes its values from every table',
    async (format) => {
      sim = await startSimulator({ seed: scenarioSeed(7), records: 120, apiKey: LEAK_KEY });
      const dir = await tempDir(`redact-${format}`);
      cleanups.push(dir.remove);
      const out = `${dir.path}/lake`;
      const flags = [
        '--redact-phone-numbers',
        '--redact-emails',
        '--redact-recording-urls',
        '--redact-webhook-payloads',
        '--redact-response-bodies',
      ];
      const run = await runCliInProcess(
        exportArgv({ out, format, baseUrl: sim.url, pageSize: 25, extra: flags }),
        keyEnv(),
      );
      const hint = `${describeRun(run)} ${replayHint()}`;
      expect(run.code, hint).toBe(0);
      await checkDataset(reader, out, format, hint);
      expect(await findInDataset(reader, out, format, [RAW_TOKEN, PHONE, EMAIL, SIGNED_URL]), hint).toEqual(
        [],
      );
      // Redacted columns hold a placeholder, not the value (and are not silently emptied).
      const [webhooks] = await reader.select(
        out,
        format,
        'webhooks',
        `count(*) AS n, count(*) FILTER (WHERE payload IS NOT NULL AND payload NOT LIKE '%call_sid%') AS redacted`,
      );
      expect(Number(webhooks?.['n']), hint).toBeGreaterThan(0);
      expect(Number(webhooks?.['redacted']), hint).toBe(Number(webhooks?.['n']));
      const [calls] = await reader.select(
        out,
        format,
        'calls',
        `count(*) FILTER (WHERE from_number IS NOT NULL AND from_number NOT IN ('Chat')) AS phones`,
      );
      expect(Number(calls?.['phones']), hint).toBeGreaterThan(0);
    },
    SETTINGS.timeoutMs,
  );

  it.each(FORMATS)(
    '%s: --redact-secret-tokens hash replaces tokens with keyed hashes; the key stays out',
    async (format) => {
      sim = await startSimulator({ seed: scenarioSeed(7), records: 120, apiKey: LEAK_KEY });
      const dir = await tempDir(`hash-${format}`);
      cleanups.push(dir.remove);
      const out = `${dir.path}/lake`;
      const hashKey = 'e2e-hash-key-4d1c8b7a2f6e9035';
      const keyFile = join(dir.path, 'hash.key');
      await writeFile(keyFile, hashKey);
      const run = await runCliInProcess(
        exportArgv({
          out,
          format,
          baseUrl: sim.url,
          pageSize: 25,
          extra: ['--redact-secret-tokens', 'hash', '--hash-key-file', keyFile],
        }),
        keyEnv(),
      );
      const hint = `${describeRun(run)} ${replayHint()}`;
      expect(run.code, hint).toBe(0);
      expect(
        await findInDataset(reader, out, format, [RAW_TOKEN, hashKey, 'secret_key_[REDACTED]']),
        hint,
      ).toEqual([]);
      expect(
        (await findInDataset(reader, out, format, [/secret_key_hmac_[0-9a-f]{8,}/])).length,
        hint,
      ).toBeGreaterThan(0);
      expect(`${run.stdout}${run.stderr}`, hint).not.toContain(hashKey);
    },
  );
});
