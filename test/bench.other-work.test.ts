/**
 * bench/lib/other-work.ts: the share of the machine other work took, which says whether a bench
 * run is of record. A process spinning beside the sample (not yet finished, so not this process
 * tree's own CPU time) must show as other work; where /proc is missing the line says so.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { otherWorkBefore, otherWorkLine } from '../bench/lib/other-work.js';

describe('bench other-work measure', () => {
  it.runIf(existsSync('/proc/stat'))(
    'counts a process spinning beside the sample as other work',
    async () => {
      const spinner = spawn(process.execPath, ['-e', 'for (;;);'], { stdio: 'ignore' });
      try {
        await once(spinner, 'spawn');
        const { line } = await otherWorkBefore(1500);
        const cores = Number(/: (\d+\.\d+) cores busy/.exec(line)?.[1]);
        // One core spins; on 2 shared cores it gets at least a third of one whatever else runs.
        expect(cores).toBeGreaterThan(0.3);
        expect(line).toContain('NOT idle (more than 0.2 cores): not a run of record');
      } finally {
        spinner.kill('SIGKILL');
      }
    },
  );

  it('says when it could not measure, and the verdict on each side of the limit', () => {
    expect(otherWorkLine('during the run', undefined)).toBe(
      'other work during the run: not measured (no /proc/stat on this system)',
    );
    expect(otherWorkLine('during the run', 0.05)).toBe(
      'other work during the run: 0.05 cores busy; idle (at most 0.2 cores)',
    );
    expect(otherWorkLine('during the run', 0.21)).toContain('NOT idle');
  });
});
