import { describe, expect, it } from 'vitest';
import { duck, envFor, runMain, simulatorScope } from './helpers.js';

/**
 * Review of issue 16's merge-on-write: a re-read call whose date changed since the lake took it
 * (an undated call that gets its time, a time corrected across a month boundary) lands in another
 * partition than its old row. The rerun must hold every call once, at its latest version:
 * compared with the simulator's ids through DuckDB.
 */
const calls = (out: string) => `read_parquet('${out}/calls/**/*.parquet', hive_partitioning = true)`;

/** `MM/DD/YYYY HH:MM:SS` (the API's spelling, UTC) of `date`. */
function apiTime(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(date.getUTCMonth() + 1)}/${p(date.getUTCDate())}/${date.getUTCFullYear()} ${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())}`;
}

describe('merge-on-write: a re-read call that moved partition', () => {
  const scope = simulatorScope('moved');

  it.each([
    ['an undated call that gets its time', true],
    ['a call whose time moves into the next month', false],
  ])(
    '%s is in the lake once, at its new date',
    async (_name, undatedFirst) => {
      const sim = await scope.start({ records: 300, seed: 41 });
      const out = await scope.lake();
      const [newest] = sim.ids();
      const args = ['export', '--out', out, '--state'];
      let original = '';
      sim.updateCalls([newest!], (log) => {
        original = String(log['time_of_call']);
        if (undatedFirst) log['time_of_call'] = null;
      });
      expect((await runMain(args, { env: envFor(sim) })).code).toBe(0);
      // Its new time: back to its own (undated case), or one hour into the next month (a later time
      // keeps it at the head of the window the incremental run re-reads).
      const [mm, dd, rest] = original.split('/');
      const own = new Date(`${rest!.slice(0, 4)}-${mm}-${dd}T${rest!.slice(5)}Z`);
      const moved = undatedFirst
        ? own
        : new Date(Date.UTC(own.getUTCFullYear(), own.getUTCMonth() + 1, 1) + 3_600_000);
      sim.updateCalls([newest!], (log) => {
        log['time_of_call'] = apiTime(moved);
        log['recording_url'] = 'https://rec.example/moved.wav';
      });
      const next = await runMain([...args, '--json'], { env: envFor(sim) });
      expect(next.code).toBe(0);
      expect((JSON.parse(next.stdout) as { mode: string }).mode).toBe('incremental');
      const ids = (await duck(`SELECT id FROM ${calls(out)} ORDER BY id DESC`)).map((r) => Number(r['id']));
      expect(ids).toEqual(sim.ids());
      const rows = await duck(
        `SELECT CAST(call_date AS VARCHAR) AS d, recording_url AS u FROM ${calls(out)} WHERE id = ${newest}`,
      );
      expect(rows).toEqual([{ d: moved.toISOString().slice(0, 10), u: 'https://rec.example/moved.wav' }]);
    },
    120_000,
  );
});
