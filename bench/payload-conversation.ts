/**
 * What the webhook payload's conversation copies cost (issue 21, README "Conversation text,
 * written once"): N pregenerated simulator calls (JSON round trip, like parsed pages) flattened
 * with `payloadConversation` `keep` and `drop`, each table's rows encoded as NDJSON by the
 * writer's encoder (`NdjsonRowEncoder`), in one process, the two variants interleaved round by
 * round; prints the best CPU µs per call of each (flatten alone, flatten + encode) and the NDJSON
 * bytes per call.
 *
 *   node --conditions=source --import tsx bench/payload-conversation.ts [--n 5000] [--rounds 7]
 *
 * The machine is shared: the minimum over rounds is the figure least disturbed by other work.
 */
import { generateHistory } from '@omnidim-stream/simulator';
import { NdjsonRowEncoder } from '@omnidim-stream/sinks';
import {
  flattenCallLog,
  type PayloadConversation,
  resolveTransformOptions,
  SCHEMAS,
  TABLE_NAMES,
} from '@omnidim-stream/transform';
import { flagValue } from './lib/args.js';

const n = Number(flagValue('n', '5000'));
const rounds = Number(flagValue('rounds', '7'));
const logs = JSON.parse(JSON.stringify(generateHistory(1, n))) as unknown[];
const encoders = TABLE_NAMES.map((t) => [t, new NdjsonRowEncoder(SCHEMAS[t])] as const);

/** CPU µs per call and NDJSON bytes per call of one pass. */
function pass(mode: PayloadConversation, encode: boolean): { us: number; bytes: number } {
  const options = resolveTransformOptions({ payloadConversation: mode });
  const full: Buffer[] = [];
  let bytes = 0;
  const start = process.cpuUsage();
  for (const log of logs) {
    const flat = flattenCallLog(log, options);
    if (!encode) continue;
    for (const [table, encoder] of encoders) encoder.encode(flat.tables[table], full);
    for (const chunk of full) bytes += chunk.length;
    full.length = 0;
  }
  for (const [, encoder] of encoders) encoder.flush(full);
  for (const chunk of full) bytes += chunk.length;
  const used = process.cpuUsage(start);
  return { us: (used.user + used.system) / n, bytes: bytes / n };
}

console.log(
  `payload conversation copies: ${n} calls, best of ${rounds} interleaved rounds, node ${process.version}`,
);
console.log('pass              keep µs/call  drop µs/call  keep B/call  drop B/call');
for (const encode of [false, true]) {
  const best = { keep: { us: Infinity, bytes: 0 }, drop: { us: Infinity, bytes: 0 } };
  for (let r = 0; r < rounds; r++) {
    for (const mode of ['keep', 'drop'] as const) {
      const result = pass(mode, encode);
      if (result.us < best[mode].us) best[mode] = result;
    }
  }
  const name = encode ? 'flatten + ndjson' : 'flatten';
  const bytes = (b: number) => (encode ? b.toFixed(0) : '-').padStart(11);
  console.log(
    `${name.padEnd(16)} ${best.keep.us.toFixed(1).padStart(13)} ${best.drop.us.toFixed(1).padStart(13)} ${bytes(best.keep.bytes)}  ${bytes(best.drop.bytes)}`,
  );
}
