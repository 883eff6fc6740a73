// Preloaded (`node --import`) into an export case by bench/gc-profile.ts: V8's sampling heap
// profiler runs from start-up to exit and its profile is written to OMNIDIM_BENCH_HEAP_FILE.
// OMNIDIM_BENCH_HEAP_KEEP=promoted keeps only samples that no scavenge collected (what was
// promoted, or still alive at exit); anything else keeps every sample (all allocations).
// Plain JavaScript, like peak-rss-preload.mjs.
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const file = process.env.OMNIDIM_BENCH_HEAP_FILE;
if (file) {
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.startSampling', {
    samplingInterval: 16384,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: process.env.OMNIDIM_BENCH_HEAP_KEEP !== 'promoted',
  });
  process.on('exit', () => {
    // A same-thread session answers synchronously, so this runs before the process ends.
    session.post('HeapProfiler.stopSampling', (error, result) => {
      if (!error) writeFileSync(file, JSON.stringify(result.profile));
    });
  });
}
