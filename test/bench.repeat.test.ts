import { describe, expect, it } from 'vitest';
import { parseBenchArgs } from '../bench/lib/args.js';
import { inRounds, median, medianRun, runsText } from '../bench/lib/repeat.js';

describe('bench repeats: a goal takes the median of its runs (bench/lib/repeat.ts)', () => {
  it('median of odd and even counts, whatever the order', () => {
    expect(median([7083, 5872, 6500])).toBe(6500);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('medianRun returns the run itself, so its other figures belong to the same run', () => {
    const runs = [
      { wallMs: 300, cpuMs: 1 },
      { wallMs: 100, cpuMs: 2 },
      { wallMs: 200, cpuMs: 3 },
    ];
    expect(medianRun(runs, (r) => r.wallMs)).toBe(runs[2]);
    expect(medianRun(runs, (r) => r.cpuMs)).toBe(runs[1]);
    // An even count takes the lower middle run (a real run, not a mean of two).
    expect(medianRun(runs.slice(0, 2), (r) => r.wallMs)).toBe(runs[1]);
    expect(() => medianRun([], (r: number) => r)).toThrow(/no runs/);
  });

  it('inRounds runs the rounds one after another, in order', async () => {
    const started: number[] = [];
    let running = 0;
    const results = await inRounds(3, async (i) => {
      running++;
      expect(running).toBe(1);
      started.push(i);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      return i * 10;
    });
    expect(started).toEqual([0, 1, 2]);
    expect(results).toEqual([0, 10, 20]);
    expect(runsText([5872, 6010.4], (v) => String(Math.round(v)))).toBe('5872 / 6010');
    // Each value alone: a formatter with an optional second parameter (fmt's decimals) must not
    // receive the index (it printed "1,234.0 / 1,669.73" before).
    const fmtLike = (v: number, decimals = 0) => v.toFixed(decimals);
    expect(runsText([1, 2, 3], fmtLike)).toBe('1 / 2 / 3');
  });

  it('--repeat defaults to 3 (1 with --quick), takes 1 to 9, refuses anything else', () => {
    expect(parseBenchArgs([]).repeats).toBe(3);
    expect(parseBenchArgs(['--quick']).repeats).toBe(1);
    expect(parseBenchArgs(['--quick', '--repeat=5']).repeats).toBe(5);
    for (const bad of ['0', '10', '2.5', '', 'x', '-1']) {
      expect(() => parseBenchArgs([`--repeat=${bad}`])).toThrow(
        /--repeat must be a whole number from 1 to 9/,
      );
    }
  });
});
