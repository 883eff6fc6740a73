/**
 * `decodeUtf8` returns exactly what `Buffer#toString('utf8')` returns (issue 21, goal 3), by each
 * of its routes, for every byte string: generated ones (seeded, valid and malformed UTF-8, a BOM,
 * surrogate pairs, noncharacters, overlongs, encoded surrogates, truncations, odd lengths, the
 * empty string, strings past the size where Node makes external strings), and a real simulator
 * page read by the HTTP client, whole and sent in pieces that split characters.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeUtf8, hasSimdUtf8ToString, WIDE_DECODER, type WideDecoder } from '../src/decode-utf8.js';
import { createHttpClient } from '../src/http-client.js';

const ROUTES: (WideDecoder | 'default')[] = ['icu', 'node', 'default'];
const decodeBy = (bytes: Buffer, route: WideDecoder | 'default') =>
  route === 'default' ? decodeUtf8(bytes) : decodeUtf8(bytes, route);

/** xorshift32: the test's own seeded source of bytes. */
function prng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

/** Hand-encoded UTF-8 of one scalar value (no Node encoder involved). */
function utf8Of(cp: number): number[] {
  if (cp < 0x80) return [cp];
  if (cp < 0x800) return [0xc0 | (cp >> 6), 0x80 | (cp & 63)];
  if (cp < 0x10000) return [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
  return [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
}

/** Code points at the edges of each UTF-8 length class, a BOM, noncharacters, Devanagari. */
const EDGES = [
  0, 0x7f, 0x80, 0xff, 0x100, 0x7ff, 0x800, 0x939, 0x94d, 0xd7ff, 0xe000, 0xfdd0, 0xfeff, 0xfffd, 0xfffe,
  0xffff, 0x10000, 0x1f600, 0x10fffe, 0x10ffff,
];

/** Malformed pieces: what `toString` replaces with U+FFFD and ICU's transcode refuses. */
const MALFORMED = [
  [0x80], // lone continuation byte
  [0xbf, 0x80],
  [0xc0, 0x80], // overlong NUL
  [0xc1, 0xbf], // overlong 2-byte
  [0xe0, 0x80, 0x80], // overlong 3-byte
  [0xf0, 0x80, 0x80, 0x80], // overlong 4-byte
  [0xed, 0xa0, 0x80], // encoded high surrogate U+D800
  [0xed, 0xbf, 0xbf], // encoded low surrogate U+DFFF
  [0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80], // CESU-8 surrogate pair
  [0xf4, 0x90, 0x80, 0x80], // U+110000
  [0xf5, 0x80, 0x80, 0x80],
  [0xff],
  [0xfe],
  [0xe0, 0xa4], // truncated 3-byte sequence
  [0xf0, 0x9f, 0x98], // truncated 4-byte sequence
  [0xc3], // truncated 2-byte sequence
];

/** A valid piece: an edge code point, a random scalar value of any class, or ASCII. */
function validPiece(rand: (n: number) => number): number[] {
  switch (rand(4)) {
    case 0:
      return utf8Of(EDGES[rand(EDGES.length)] as number);
    case 1: {
      const cp = rand(0x110000);
      return utf8Of(cp >= 0xd800 && cp <= 0xdfff ? cp + 0x800 : cp);
    }
    case 2:
      return utf8Of(0x900 + rand(0x80)); // Devanagari, like the conversations' Hindi
    default:
      return [0x20 + rand(0x5f)];
  }
}

/**
 * `count` byte strings of 0 to `maxPieces` pieces, each well-formed; with `bad` > 0, a piece is
 * malformed with probability `bad`/8, and some are single random bytes.
 */
function generate(seed: number, count: number, maxPieces: number, bad: number): Buffer[] {
  const rand = prng(seed);
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const bytes: number[] = [];
    const pieces = rand(maxPieces + 1);
    for (let p = 0; p < pieces; p++) {
      if (rand(8) < bad) bytes.push(...(MALFORMED[rand(MALFORMED.length)] as number[]));
      else if (bad > 0 && rand(16) === 0)
        bytes.push(rand(256)); // any byte at all
      else bytes.push(...validPiece(rand));
    }
    out.push(Buffer.from(bytes));
  }
  return out;
}

/** The inputs of `cases` whose decoding by `route` differs from toString (hex, first 5). */
function mismatches(cases: Buffer[], route: WideDecoder | 'default'): string[] {
  const bad: string[] = [];
  for (const bytes of cases) {
    let got: string;
    try {
      got = decodeBy(bytes, route);
    } catch (error) {
      got = `threw ${(error as Error).message}`;
    }
    if (got !== bytes.toString('utf8') && bad.length < 5) bad.push(bytes.toString('hex'));
  }
  return bad;
}

describe('decodeUtf8 equals toString(utf8)', () => {
  const valid = generate(21, 3000, 40, 0);
  const mixed = generate(2103, 3000, 40, 2);
  const counts = (cases: Buffer[]) => ({
    wellFormed: cases.filter((b) => isUtf8(b)).length,
    ascii: cases.filter((b) => isAscii(b)).length,
  });

  it.each(ROUTES)('well-formed byte strings, seeded (route %s)', (route) => {
    const c = counts(valid);
    // The generator's own check: mostly well-formed non-ASCII text, the ICU route's input.
    expect(c.wellFormed - c.ascii).toBeGreaterThan(2000);
    expect(mismatches(valid, route)).toEqual([]);
  });

  it.each(ROUTES)('malformed and mixed byte strings, seeded (route %s)', (route) => {
    const c = counts(mixed);
    expect(mixed.length - c.wellFormed).toBeGreaterThan(2000);
    expect(mismatches(mixed, route)).toEqual([]);
  });

  it.each(ROUTES)('edge cases: empty, BOM, odd lengths, offsets, large inputs (route %s)', (route) => {
    const hindi = Buffer.from('नमस्ते दुनिया 😀 ', 'utf8');
    const large = Buffer.concat(Array.from({ length: 40_000 }, () => hindi)); // ~1.3 MB: external strings
    const cases = [
      Buffer.alloc(0),
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]),
      Buffer.from([0x61, 0xef, 0xbb, 0xbf, 0xe0, 0xa4, 0xa8]),
      Buffer.from([0xef, 0xbb]), // a BOM cut short
      hindi.subarray(1), // starts inside a character
      hindi.subarray(0, hindi.length - 1), // ends inside a character (odd length)
      large,
      large.subarray(3), // an odd offset into the same memory
      Buffer.concat([large, Buffer.from([0xff])]), // one malformed byte at the end of a large body
      Buffer.alloc(1_100_000, 0x61), // large ASCII
    ];
    expect(mismatches(cases, route)).toEqual([]);
    expect(decodeBy(Buffer.from([0xef, 0xbb, 0xbf, 0x61]), route)).toBe('\ufeffa');
  });
});

describe('the route per Node version (nodejs/node#61131)', () => {
  it('simdutf toString from 24.13.1 and in 26, not before nor in 25', () => {
    expect(['20.19.0', '22.23.3', '24.13.0', '25.9.0'].map(hasSimdUtf8ToString)).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(['24.13.1', '24.21.0', '26.0.0', '27.1.0'].map(hasSimdUtf8ToString)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    console.log(`[decode-utf8] node ${process.version}: non-ASCII text decoded by ${WIDE_DECODER}`);
  });
});

let sim: RunningSimulator | undefined;
let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  server?.close();
  server = undefined;
  await sim?.close();
  sim = undefined;
});

/** Where two long texts first differ (a short excerpt of each), or undefined when equal. */
function firstDifference(got: string, expected: string): string | undefined {
  if (got === expected) return undefined;
  let i = 0;
  while (i < got.length && got[i] === expected[i]) i++;
  return `at ${i} of ${expected.length}: ${JSON.stringify(got.slice(i, i + 20))} != ${JSON.stringify(expected.slice(i, i + 20))}`;
}

/** A body as the HTTP client of core reads it. */
async function readWithClient(baseUrl: string, apiKey: string): Promise<string> {
  const client = createHttpClient({
    baseUrl,
    apiKey,
    timeoutMs: 30_000,
    maxResponseBytes: 16 * 1024 * 1024,
    concurrency: 1,
  });
  try {
    const res = await client.get(
      '/calls/logs',
      { pageno: 1, pagesize: 150 },
      new AbortController().signal,
      {},
    );
    return res.body;
  } finally {
    await client.close();
  }
}

describe('a simulator page through the HTTP client', () => {
  it('reads the same text and JSON as toString of the bytes, whole and sent in character-splitting pieces', async () => {
    sim = await startSimulator({ seed: 7, records: 300 });
    const raw = await request(`${sim.url}/calls/logs?pageno=1&pagesize=150`, {
      headers: { authorization: `Bearer ${sim.apiKey}` },
    });
    const bytes = Buffer.from(await raw.body.arrayBuffer());
    const expected = bytes.toString('utf8');
    // Text beyond Latin-1 (CJK, emoji): what the fast route is for.
    expect(/[^\u0000-\u00ff]/.test(expected)).toBe(true);

    const whole = await readWithClient(sim.url, sim.apiKey);
    expect(firstDifference(whole, expected)).toBeUndefined();
    expect(JSON.parse(whole)).toEqual(JSON.parse(expected));

    // The same bytes in 7-byte writes, each flushed before the next: pieces end inside characters.
    server = createServer(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      let at = 0;
      for (; at < 4096; at += 7) {
        res.write(bytes.subarray(at, at + 7));
        await new Promise((resolve) => setImmediate(resolve));
      }
      res.end(bytes.subarray(at));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const pieces = await readWithClient(
      `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`,
      'k',
    );
    expect(firstDifference(pieces, expected)).toBeUndefined();
  });
});
