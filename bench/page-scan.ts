/**
 * What the main thread pays to read a page (issue 21): decode + `JSON.parse` (what core did for
 * every page) against core's `scanPage` (the `shallowRecords` path: one validating pass over the
 * bytes) plus parsing each call's `id` and `time_of_call` alone (the stubs). N pages of 150
 * calls from the simulator; prints the best CPU ms per page over the rounds (ways interleaved
 * round by round) and µs per call. Every way is first checked to agree with the full parse.
 *
 *   node --conditions=source --import tsx bench/page-scan.ts [--pages 10] [--rounds 15]
 *
 * The machine is shared: the minimum over rounds is the figure least disturbed by other work.
 */
import { decodeUtf8, scanPage, valueAt } from '@omnidim-stream/core';
import { flagValue } from './lib/args.js';
import { simulatorPageBodies } from './lib/sim-pages.js';

const pages = Number(flagValue('pages', '10'));
const rounds = Number(flagValue('rounds', '15'));
const bodies = await simulatorPageBodies(pages);
const calls = pages * 150;

/** Stubs of a page, as core's shallow path builds them. */
function stubs(body: Buffer): { id?: unknown; time_of_call?: unknown }[] {
  const scan = scanPage(body);
  return (scan.calls ?? []).map((c) => ({
    ...(c.id ? { id: valueAt(body, c.id) } : {}),
    ...(c.timeOfCall ? { time_of_call: valueAt(body, c.timeOfCall) } : {}),
  }));
}

for (const body of bodies) {
  const full = (JSON.parse(decodeUtf8(body)) as { call_log_data: { id: number; time_of_call: string }[] })
    .call_log_data;
  const shallow = stubs(body);
  full.forEach((c, i) => {
    if (shallow[i]?.id !== c.id || shallow[i]?.time_of_call !== c.time_of_call) {
      throw new Error(`stub ${i} differs from the parsed call`);
    }
  });
}

const ways: [string, (b: Buffer) => unknown][] = [
  ['decodeUtf8 + JSON.parse', (b) => JSON.parse(decodeUtf8(b))],
  ['scanPage', (b) => scanPage(b)],
  ['scanPage + stubs (shallowRecords)', stubs],
];

/** CPU ms of one pass over every page. */
function pass(read: (b: Buffer) => unknown): number {
  const start = process.cpuUsage();
  for (const b of bodies) read(b);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

const best = new Map<string, number>();
for (let r = 0; r < rounds; r++) {
  for (const [name, read] of ways)
    best.set(name, Math.min(best.get(name) ?? Number.POSITIVE_INFINITY, pass(read)));
}
const bytes = bodies.reduce((sum, b) => sum + b.length, 0);
console.log(
  `page scan: ${pages} pages of 150 calls, ${(bytes / pages / 1e6).toFixed(2)} MB each, best of ${rounds} rounds, node ${process.version}`,
);
console.log('way                                   ms/page  µs/call');
for (const [name, ms] of best) {
  console.log(
    `${name.padEnd(36)} ${(ms / pages).toFixed(2).padStart(8)} ${((ms * 1000) / calls).toFixed(1).padStart(8)}`,
  );
}
