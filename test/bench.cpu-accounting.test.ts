import { describe, expect, it } from 'vitest';
import { runCase } from '../bench/lib/child.js';

// The CPU goals of issue 21 divide the exporting process's CPU by its calls; once worker threads
// parse and encode, a reading of the main thread alone would make the export look nearly free.
// The bench's two readers (process.cpuUsage() and /proc/self/stat) must both see a worker's CPU.
describe('bench CPU accounting', () => {
  it.skipIf(process.platform !== 'linux')(
    "counts a worker thread's CPU in both readers while the main thread only waits",
    async () => {
      const spinMs = 600;
      const r = await runCase('thread-cpu', { spinMs });
      // Under load the worker gets less than a core, but far more than the few ms the idle main
      // thread spends starting it: a quarter of its spin rules out main-thread-only accounting.
      expect(r.cpuMs).toBeGreaterThan(spinMs / 4);
      expect(r.statCpuMs).toBeGreaterThan(spinMs / 4);
      // The two readers agree (10 ms ticks, and slightly different spans).
      expect(Math.abs(r.cpuMs - (r.statCpuMs ?? 0))).toBeLessThan(30 + r.cpuMs * 0.1);
    },
    60_000,
  );
});
