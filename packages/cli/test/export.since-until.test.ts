import { generateCallLog, type RunningSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { duck, envFor, runMain, simulator, tempDir } from './helpers.js';

/** `MM/DD/YYYY HH:MM:SS` (read as UTC) → ISO instant. */
function isoOf(timeOfCall: string): string {
  const [date, time] = timeOfCall.split(' ') as [string, string];
  const [mm, dd, yyyy] = date.split('/');
  return `${yyyy}-${mm}-${dd}T${time}Z`;
}

describe('--since / --until on a newest-first list without a date filter', () => {
  let sim: RunningSimulator | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
    for (const c of cleanups.splice(0)) await c();
  });

  it('keeps exactly the calls in [since, until) and stops paging once calls are older than --since', async () => {
    sim = await simulator({ records: 300, seed: 5 });
    const out = await tempDir('window');
    cleanups.push(out.remove);
    const seed5 = (i: number) => generateCallLog(5, i);
    const since = isoOf(seed5(200).time_of_call);
    const until = isoOf(seed5(280).time_of_call);
    const expected = Array.from({ length: 80 }, (_, k) => seed5(279 - k).id);
    const run = await runMain(
      [
        'export',
        '--out',
        out.path,
        '--since',
        since,
        '--until',
        until,
        '--page-size',
        '20',
        '--concurrency',
        '1',
        '--json',
      ],
      { env: envFor(sim) },
    );
    expect(run.code).toBe(0);
    const rows = await duck(`SELECT id FROM read_parquet('${out.path}/calls/**/*.parquet') ORDER BY id DESC`);
    expect(rows.map((r) => Number(r['id']))).toEqual(expected);
    const summary = JSON.parse(run.stdout) as { records: number; skippedNewerThanUntil: number };
    expect(summary).toMatchObject({ records: 80, skippedNewerThanUntil: 20 });
    // 300 calls in pages of 20 is 15 pages; calls older than index 200 start on page 6.
    expect(sim.stats.listRequests).toBeLessThan(15);
  });
});
