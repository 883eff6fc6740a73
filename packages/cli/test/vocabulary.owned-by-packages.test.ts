import { readFile } from 'node:fs/promises';
import { CALL_STATUSES } from '@omnidim-stream/core';
import { SIMULATOR_FLAGS } from '@omnidim-stream/simulator';
import { COMPRESSIONS, FORMATS } from '@omnidim-stream/sinks';
import { REDACTION_ACTIONS, TABLE_NAMES } from '@omnidim-stream/transform';
import { describe, expect, it } from 'vitest';
import * as cli from '../src/export-options.js';

const FILES = ['../src/export-options.ts', '../src/cli-parser.ts', '../src/flag-values.ts'];
// Quoted vocabulary words that belong to another package (issue 15). Not 'json': it is also the
// name of the CLI's own --json flag.
const LITERALS =
  /'(parquet|csv|ndjson|snappy|gzip|brotli|none|calls|interactions|function_calls|webhooks|keep|redact|hash|mask|completed|busy|failed|no-answer|markdown|warn)'/;

describe('the CLI holds no vocabulary of its own', () => {
  it.each(FILES)('%s quotes no table, format, codec, action or status', async (file) => {
    const text = await readFile(new URL(file, import.meta.url), 'utf8');
    expect(text.match(LITERALS)?.[0]).toBeUndefined();
  });

  it("exports the owning packages' constants themselves, not copies", () => {
    expect(cli.FORMATS).toBe(FORMATS);
    expect(cli.COMPRESSIONS).toBe(COMPRESSIONS);
    expect(cli.TABLES).toBe(TABLE_NAMES);
    expect(cli.CALL_STATUSES).toBe(CALL_STATUSES);
    for (const flag of cli.REDACTION_FLAGS) expect(flag.actions).toBe(REDACTION_ACTIONS[flag.option]);
  });

  it('names each redaction flag after its transform option', () => {
    expect(cli.REDACTION_FLAGS.map((f) => f.flag).sort()).toEqual([
      'redact-emails',
      'redact-phone-numbers',
      'redact-recording-urls',
      'redact-response-bodies',
      'redact-secret-tokens',
      'redact-webhook-payloads',
    ]);
  });

  it('simulate and omnidim-simulator share one flag declaration', async () => {
    const parser = await readFile(new URL('../src/cli-parser.ts', import.meta.url), 'utf8');
    expect(parser).toContain('SIMULATOR_FLAGS');
    expect(SIMULATOR_FLAGS.map((f) => f.name)).toEqual(
      expect.arrayContaining(['port', 'seed', 'records', 'fault-kinds', 'sim-key']),
    );
  });
});
