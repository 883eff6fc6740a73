/**
 * CPU cost of the transform alone (issue 8, table 2's hotspot): flattens N pregenerated call logs
 * from the simulator and prints µs/call (wall and process CPU). Generation and the JSON round trip
 * that makes the records look like parsed page bodies are outside the timed loop.
 *
 *   node --conditions=source --import tsx bench/transform-cpu.ts [--n 20000] [--tz UTC] [--rounds 3]
 *
 * The machine is shared: compare the CPU column, and run each side more than once.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { generateHistory } from '@omnidim-stream/simulator';
import { flattenCallLog, resolveTransformOptions } from '@omnidim-stream/transform';
import { flagValue } from './lib/args.js';

const n = Number(flagValue('n', '20000'));
const rounds = Number(flagValue('rounds', '3'));
const timeZone = flagValue('tz', 'UTC');
const options = resolveTransformOptions({ timeZone });
// A JSON round trip, so the records are what `JSON.parse` of a page gives (no shared references).
const logs = JSON.parse(JSON.stringify(generateHistory(1, n))) as unknown[];

let rows = 0;
// Warm-up: let V8 optimise before timing.
for (let i = 0; i < Math.min(n, 2000); i++) flattenCallLog(logs[i], options);

console.log(`transform CPU: ${n} calls, timeZone ${timeZone}, node ${process.version}`);
// GC pauses inside the timed loop (the rows are garbage as soon as they are counted).
let gcMs = 0;
const gcObserver = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
});
gcObserver.observe({ entryTypes: ['gc'] });

console.log('round | wall µs/call | CPU µs/call (user+sys) | GC µs/call');
let best = Number.POSITIVE_INFINITY;
for (let r = 1; r <= rounds; r++) {
  await new Promise((resolve) => setTimeout(resolve, 50)); // let the previous round's GC entries arrive
  gcMs = 0;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const flat = flattenCallLog(logs[i], options);
    rows += flat.calls.length + flat.interactions.length + flat.function_calls.length + flat.webhooks.length;
  }
  const wallUs = Number(process.hrtime.bigint() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuPerCall = (cpu.user + cpu.system) / n;
  best = Math.min(best, cpuPerCall);
  await new Promise((resolve) => setTimeout(resolve, 50)); // GC entries are delivered asynchronously
  const gcPerCall = (gcMs * 1000) / n;
  console.log(
    `${String(r).padStart(5)} | ${(wallUs / n).toFixed(1).padStart(12)} | ${cpuPerCall.toFixed(1).padStart(22)} | ${gcPerCall.toFixed(1).padStart(10)}`,
  );
}
gcObserver.disconnect();
console.log(`best CPU µs/call: ${best.toFixed(1)} (rows produced: ${rows})`);
