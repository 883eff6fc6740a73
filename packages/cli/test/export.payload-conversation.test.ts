/**
 * issue 21: `--payload-conversation` reaches the transform. By default `webhooks.payload` holds no
 * copy of the conversation (call_report.full_conversation / interactions); `keep` writes the
 * payload whole; a bad value is a usage error (exit 2) before any request. Read back with DuckDB.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { duck, envFor, runMain, simulatorScope } from './helpers.js';

describe('--payload-conversation', () => {
  const scope = simulatorScope('payload-conv');

  /** Per webhook row of the Parquet lake: does its payload hold each conversation copy? */
  async function payloadCopies(out: string): Promise<{ rows: number; text: number; turns: number }> {
    const [row] = await duck(`
      SELECT count(*)::INT AS rows,
             count(json_extract(payload, '$.call_report.full_conversation'))::INT AS text,
             count(json_extract(payload, '$.call_report.interactions'))::INT AS turns
      FROM read_parquet('${join(out, 'webhooks', '**', '*.parquet')}')
      WHERE json_extract(payload, '$.call_report') IS NOT NULL`);
    return row as { rows: number; text: number; turns: number };
  }

  it('leaves the conversation copies out by default and writes them with keep', async () => {
    const sim = await scope.start({ records: 60 });
    const byDefault = await scope.lake();
    const kept = await scope.lake();
    const a = await runMain(['export', '--out', byDefault, '--json'], { env: envFor(sim) });
    expect(a.code, a.stderr).toBe(0);
    const b = await runMain(['export', '--out', kept, '--json', '--payload-conversation', 'keep'], {
      env: envFor(sim),
    });
    expect(b.code, b.stderr).toBe(0);
    const dropped = await payloadCopies(byDefault);
    const whole = await payloadCopies(kept);
    expect(dropped.rows).toBeGreaterThan(10);
    expect(dropped).toEqual({ rows: dropped.rows, text: 0, turns: 0 });
    expect(whole).toEqual({ rows: dropped.rows, text: dropped.rows, turns: dropped.rows });
  });

  it('refuses another value with exit 2 before any request, naming the flag', async () => {
    const sim = await scope.start({ records: 5 });
    const run = await runMain(['export', '--out', await scope.lake(), '--payload-conversation', 'none'], {
      env: envFor(sim),
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/payload-conversation/);
    expect(sim.stats.requests).toBe(0);
  });
});
