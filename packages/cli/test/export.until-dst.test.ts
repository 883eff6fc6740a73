import { describe, expect, it } from 'vitest';
import { duck, envFor, problemLines, runMain, simulatorScope } from './helpers.js';

/**
 * `--until` and the stored `time_of_call` are read by one parser (the transform's). On
 * 2026-03-08 America/New_York springs forward at 02:00: wall times 02:00–02:59 do not exist and
 * are read with the offset before the gap (02:30 → 03:30 EDT = 07:30Z, transform/src/time.ts).
 * A window read with another rule (02:30 → 06:30Z) kept such calls under `--until 07:00Z`
 * although the lake stores them after it.
 */
const CALL_TIMES = [
  '03/08/2026 03:30:00', // 07:30Z: after the bound
  '03/08/2026 02:45:00', // in the gap: 07:45Z as stored
  '03/08/2026 02:30:00', // in the gap: 07:30Z as stored
  '03/08/2026 02:00:00', // in the gap: 07:00Z as stored, equal to the exclusive bound
  '03/08/2026 01:59:59', // 06:59:59Z (EST): inside
  '03/08/2026 01:30:00', // 06:30Z (EST): inside
];

describe('--until across a DST gap', () => {
  const scope = simulatorScope('until-dst');

  it('--time-zone America/New_York --until 2026-03-08T07:00:00Z: no stored time_of_call at or after the bound', async () => {
    // 40 simulated calls dated January 2025; the newest six are moved to the night of the change.
    const sim = await scope.start({ records: 40, seed: 8 });
    const head = sim.ids().slice(0, CALL_TIMES.length);
    sim.updateCalls(head, (log) => {
      log['time_of_call'] = CALL_TIMES[head.indexOf(log['id'] as number)];
    });
    const out = await scope.lake();
    const run = await runMain(
      [
        'export',
        '--out',
        out,
        '--time-zone',
        'America/New_York',
        '--until',
        '2026-03-08T07:00:00Z',
        '--tables',
        'calls',
        '--json',
      ],
      { env: envFor(sim) },
    );
    expect(problemLines(run.stderr)).toEqual([]);
    expect(run.code).toBe(0);
    const calls = `read_parquet('${out}/calls/**/*.parquet', hive_partitioning = true)`;
    const [late] = await duck(
      `SELECT count(*) AS n FROM ${calls} WHERE time_of_call >= TIMESTAMPTZ '2026-03-08 07:00:00+00'`,
    );
    expect(Number(late?.['n'])).toBe(0);
    // Not vacuous: the two calls before the gap are there, the four at or after the bound are not.
    const rows = await duck(`SELECT id FROM ${calls} ORDER BY id DESC`);
    const ids = rows.map((r) => Number(r['id']));
    expect(ids.slice(0, 2)).toEqual(head.slice(4));
    expect(ids).toHaveLength(40 - 4);
    expect(JSON.parse(run.stdout)).toMatchObject({ records: 36, skippedNewerThanUntil: 4 });
  });
});
