/**
 * The NDJSON encoder's own cost (issue 21 goal 3), in one process, no I/O: N pregenerated simulator
 * calls (JSON round trip, like parsed pages) flattened once, then every table's rows encoded by
 * the writer's `NdjsonRowEncoder`, best of R rounds; and, for texts of each length band, the two
 * ways the encoder can write a JSON string: one JavaScript pass (`writeJsonString`) or
 * `JSON.stringify` + the native UTF-8 encoder (what decides `SHORT_TEXT_UNITS`).
 *
 *   node --conditions=source --import tsx bench/ndjson-encode.ts [--n 2000] [--rounds 20]
 *
 * The machine is shared: the minimum over rounds is the figure least disturbed by other work.
 */
import { generateHistory } from '@omnidim-stream/simulator';
import { NdjsonRowEncoder } from '@omnidim-stream/sinks';
import { flattenCallLog, type Row, SCHEMAS, TABLE_NAMES, wellFormedString } from '@omnidim-stream/transform';
import { writeJsonString } from '../packages/sinks/src/json-string-bytes.js';
import { flagValue } from './lib/args.js';

const n = Number(flagValue('n', '2000'));
const rounds = Number(flagValue('rounds', '20'));
const logs = (JSON.parse(JSON.stringify(generateHistory(1, n))) as unknown[]).map((log) =>
  flattenCallLog(log),
);
const tables = TABLE_NAMES.map((t) => ({
  encoder: new NdjsonRowEncoder(SCHEMAS[t]),
  rows: logs.flatMap((l) => l.tables[t] as Row[]),
}));

/** Best CPU µs per call of `run` over the rounds. */
function best(run: () => void): number {
  let min = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    const start = process.cpuUsage();
    run();
    const used = process.cpuUsage(start);
    min = Math.min(min, (used.user + used.system) / n);
  }
  return min;
}

let bytes = 0;
const encodeUs = best(() => {
  const full: Buffer[] = [];
  for (const { encoder, rows } of tables) {
    for (let i = 0; i < rows.length; i += 16) encoder.encode(rows.slice(i, i + 16), full);
    encoder.flush(full);
  }
  bytes = full.reduce((sum, chunk) => sum + chunk.length, 0);
});
console.log(`NDJSON encoder: ${n} simulator calls, best of ${rounds} rounds, node ${process.version}`);
console.log(`encode (all four tables): ${encodeUs.toFixed(1)} µs/call, ${(bytes / n).toFixed(0)} bytes/call`);

const texts: string[] = [];
for (const { rows } of tables)
  for (const row of rows) for (const v of Object.values(row)) if (typeof v === 'string') texts.push(v);
const scratch = Buffer.allocUnsafe(1 << 22);
console.log('\ntext length   values/call  one JS pass µs/call  stringify+utf8Write µs/call');
for (const [low, high] of [
  [0, 16],
  [17, 48],
  [49, 200],
  [201, Number.POSITIVE_INFINITY],
] as const) {
  const band = texts.filter((t) => t.length >= low && t.length <= high);
  const js = best(() => {
    let at = 0;
    for (const t of band) at = at > 1 << 21 ? 0 : writeJsonString(scratch, at, t);
  });
  const native = best(() => {
    let at = 0;
    for (const t of band) at = at > 1 << 21 ? 0 : at + scratch.write(JSON.stringify(wellFormedString(t)), at);
  });
  const name = `${low}–${high === Number.POSITIVE_INFINITY ? '∞' : high}`;
  console.log(
    `${name.padEnd(12)}  ${(band.length / n).toFixed(1).padStart(11)}  ${js.toFixed(1).padStart(19)}  ${native.toFixed(1).padStart(27)}`,
  );
}
