import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { GENERATED_END, GENERATED_START } from '../bench/lib/benchmarks-md.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const sha = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

// Keeps `pnpm bench` from rotting: the whole run in --quick mode (tiny sizes) must go end to end
// against the simulator and write the goal table into the file given, keeping what surrounds its
// markers and leaving the real BENCHMARKS.md alone. No figure is asserted (speed is never tested).
describe('pnpm bench --quick', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes every goal as a row (target, measured, verdict) between the markers of the file given', async () => {
    dir = await mkdtemp(join(tmpdir(), 'bench-smoke-'));
    const target = join(dir, 'BENCHMARKS.md');
    await writeFile(
      target,
      `# hand-written intro\n\n${GENERATED_START}\nstale table\n${GENERATED_END}\n\nhand-written analysis\n`,
    );
    const realBefore = await sha(join(root, 'BENCHMARKS.md'));
    const { stdout } = await run(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', 'bench/run-all.ts', '--quick', `--write=${target}`],
      { cwd: root, timeout: 400_000, maxBuffer: 64 * 1024 * 1024 },
    );
    expect(stdout).toContain(`wrote the goal table and this output to ${target}`);
    expect(await sha(join(root, 'BENCHMARKS.md'))).toBe(realBefore);

    const written = await readFile(target, 'utf8');
    expect(written.startsWith('# hand-written intro\n\n')).toBe(true);
    expect(written.trimEnd().endsWith(`${GENERATED_END}\n\nhand-written analysis`)).toBe(true);
    expect(written).not.toContain('stale table');
    expect(written.split(GENERATED_START)).toHaveLength(2);
    expect(written).toMatch(/load average at start: [\d.]+ [\d.]+ [\d.]+/);
    expect(written).toMatch(/node v\d+\.\d+\.\d+/);
    // Other work on the machine, before and during the run: a busy machine's run is not of record.
    const otherWork =
      /cores busy; (idle \(at most 0\.2 cores\)|NOT idle \(more than 0\.2 cores\): not a run of record)|not measured/;
    expect(written).toMatch(
      new RegExp(`other work before the run \\(2 s sample\\): (\\d+\\.\\d\\d ${otherWork.source})`),
    );
    expect(written).toMatch(new RegExp(`other work during the run: (\\d+\\.\\d\\d ${otherWork.source})`));

    // The table itself (the full output below it prints it once more).
    const table = written.slice(0, written.indexOf('### The full output of that run'));
    const rows = table
      .split('\n')
      .filter((line) => /^\| \d+b?\. /.test(line))
      .map((line) => line.split(/(?<!\\)\|/).map((cell) => cell.trim()));
    // Goals 1, 1b, 2, 2b, 3 (NDJSON and Parquet), 4, 5, 6: every one present, none failed.
    expect(rows.map((cells) => cells[1]?.split(' ')[0])).toEqual([
      '1.',
      '1b.',
      '2.',
      '2b.',
      '3.',
      '3.',
      '4.',
      '5.',
      '6.',
    ]);
    for (const cells of rows) {
      expect(cells[2]).not.toBe(''); // target
      expect(cells[3]).not.toMatch(/^$|scenario failed/); // measured
      expect(cells[4]).toMatch(/^(met|\*\*missed\*\*|n\/a|reference)$/);
      // A miss says what bounds it.
      if (cells[4] === '**missed**') expect(cells[5]).not.toBe('');
    }
    // The full output follows the table, ending with the run's total.
    expect(written).toMatch(
      /### The full output of that run, unedited\n\n```text\n# omnidim-stream benchmarks[\s\S]*\ntotal: \d+ s/,
    );
  }, 420_000);
});
