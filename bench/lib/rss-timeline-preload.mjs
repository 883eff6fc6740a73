// Preloaded (`node --import`) into a process bench/memory-timeline.ts runs: every 50 ms it
// samples process.memoryUsage() (RSS, V8 heap, external, ArrayBuffers) and at exit writes the
// samples, `[ms since start, rss, heapTotal, heapUsed, external, arrayBuffers]` each, as JSON to
// the file OMNIDIM_BENCH_RSS_TIMELINE_FILE names. Plain JavaScript, like peak-rss-preload.mjs.
import { writeFileSync } from 'node:fs';

const file = process.env.OMNIDIM_BENCH_RSS_TIMELINE_FILE;
if (file) {
  const samples = [];
  const start = performance.now();
  const sample = () => {
    const m = process.memoryUsage();
    samples.push([
      Math.round(performance.now() - start),
      m.rss,
      m.heapTotal,
      m.heapUsed,
      m.external,
      m.arrayBuffers,
    ]);
  };
  setInterval(sample, 50).unref();
  process.on('exit', () => {
    sample();
    writeFileSync(file, JSON.stringify(samples));
  });
}
