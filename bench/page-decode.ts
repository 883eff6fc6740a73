/**
 * What decoding a page body costs (issue 21, goal 3): N pages of 150 calls fetched from the
 * simulator (the bytes a client receives), decoded by each route of core's `decodeUtf8` and by
 * `toString('utf8')`, alone and followed by `JSON.parse`; prints the best CPU ms per page over the
 * rounds (routes interleaved round by round), MB/s, and the route `decodeUtf8` takes on this Node.
 *
 *   node --conditions=source --import tsx bench/page-decode.ts [--pages 10] [--rounds 15]
 *   npx --yes -p node@22 node --conditions=source --import tsx bench/page-decode.ts   # likewise 24
 *
 * The machine is shared: the minimum over rounds is the figure least disturbed by other work.
 */
import { decodeUtf8, WIDE_DECODER, type WideDecoder } from '@omnidim-stream/core';
import { flagValue } from './lib/args.js';
import { simulatorPageBodies } from './lib/sim-pages.js';

const pages = Number(flagValue('pages', '10'));
const rounds = Number(flagValue('rounds', '15'));

const bodies = await simulatorPageBodies(pages);
const bytes = bodies.reduce((sum, b) => sum + b.length, 0);
const wide = (route: WideDecoder) => (b: Buffer) => decodeUtf8(b, route);
const routes: [string, (b: Buffer) => string][] = [
  ["toString('utf8')", (b) => b.toString('utf8')],
  ['decodeUtf8 icu', wide('icu')],
  ['decodeUtf8 node', wide('node')],
  [`decodeUtf8 default (${WIDE_DECODER})`, (b) => decodeUtf8(b)],
];
for (const b of bodies) {
  for (const [name, decode] of routes)
    if (decode(b) !== b.toString('utf8')) throw new Error(`${name} differs from toString on a page`);
}

/** CPU ms of one pass over every page. */
function pass(decode: (b: Buffer) => string, parse: boolean): number {
  const start = process.cpuUsage();
  for (const b of bodies) {
    const text = decode(b);
    if (parse) JSON.parse(text);
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

const best = new Map<string, number>();
for (let r = 0; r < rounds; r++) {
  for (const [name, decode] of routes) {
    for (const parse of [false, true]) {
      const key = `${name}${parse ? ' + JSON.parse' : ''}`;
      best.set(key, Math.min(best.get(key) ?? Number.POSITIVE_INFINITY, pass(decode, parse)));
    }
  }
}
console.log(
  `page decode: ${pages} pages, ${(bytes / pages / 1e6).toFixed(2)} MB each, best of ${rounds} rounds, node ${process.version}, default route ${WIDE_DECODER}`,
);
console.log('route                                   ms/page    MB/s');
for (const [key, ms] of best) {
  const perPage = ms / pages;
  console.log(
    `${key.padEnd(38)} ${perPage.toFixed(2).padStart(8)} ${(bytes / 1e3 / ms).toFixed(0).padStart(7)}`,
  );
}
