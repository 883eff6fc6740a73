/**
 * A JavaScript string as a JSON string literal, written straight into bytes as UTF-8: the bytes
 * of `Buffer.from(JSON.stringify(text.toWellFormed()), 'utf8')`, in one pass and with no string
 * made on the way (issue 21: `JSON.stringify`, then a rope of the line, then `buf.write` made three
 * passes and two garbage strings per value). The NDJSON encoder uses it for short values, where the
 * per-value overhead of the native calls was the cost; long texts still take `JSON.stringify` and
 * the native UTF-8 encoder, which are faster per character than a JavaScript loop (bench/ndjson-encode.ts).
 *
 * The escapes are those of `JSON.stringify` (ECMA-262 `QuoteJSONString`): `\"`, `\\`, `\b`, `\t`,
 * `\n`, `\f`, `\r`, any other code unit below U+0020 as `\u00XX` in lowercase hex; everything else
 * literal (U+2028/2029 and U+007F included). A lone surrogate is written as U+FFFD (EF BF BD), as
 * `wellFormedString()` then the UTF-8 encoder did (issue 13: never as a `\udXXX` escape).
 */

/** Most bytes one UTF-16 code unit of `text` can take here (`\u001f`: 6). */
export const JSON_STRING_BYTES_PER_UNIT = 6;

const HEX = '0123456789abcdef';
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The letter of the short escape of each code unit below U+0020 that has one, else 0. */
const SHORT_ESCAPES = new Uint8Array(0x20);
SHORT_ESCAPES[0x08] = 0x62; // b
SHORT_ESCAPES[0x09] = 0x74; // t
SHORT_ESCAPES[0x0a] = 0x6e; // n
SHORT_ESCAPES[0x0c] = 0x66; // f
SHORT_ESCAPES[0x0d] = 0x72; // r

/**
 * Writes `text` as a quoted JSON string in UTF-8 at `at`; returns the offset after it. The caller
 * leaves room for `2 + text.length * JSON_STRING_BYTES_PER_UNIT` bytes.
 *
 * @example
 * const buf = new Uint8Array(64);
 * const end = writeJsonString(buf, 0, 'a"\n\ud800'); // buf holds "a\"\n\uFFFD" as UTF-8
 */
export function writeJsonString(buf: Uint8Array, at: number, text: string): number {
  buf[at++] = QUOTE;
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) {
      if (unit >= 0x20 && unit !== QUOTE && unit !== BACKSLASH) buf[at++] = unit;
      else at = writeAsciiEscape(buf, at, unit);
    } else if (unit < 0x800) {
      buf[at++] = 0xc0 | (unit >> 6);
      buf[at++] = 0x80 | (unit & 0x3f);
    } else if (unit < 0xd800 || unit > 0xdfff) {
      buf[at++] = 0xe0 | (unit >> 12);
      buf[at++] = 0x80 | ((unit >> 6) & 0x3f);
      buf[at++] = 0x80 | (unit & 0x3f);
    } else {
      const next = unit <= 0xdbff && i + 1 < length ? text.charCodeAt(i + 1) : 0;
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        const point = 0x10000 + ((unit - 0xd800) << 10) + (next - 0xdc00);
        buf[at++] = 0xf0 | (point >> 18);
        buf[at++] = 0x80 | ((point >> 12) & 0x3f);
        buf[at++] = 0x80 | ((point >> 6) & 0x3f);
        buf[at++] = 0x80 | (point & 0x3f);
      } else {
        // A lone surrogate: U+FFFD.
        buf[at++] = 0xef;
        buf[at++] = 0xbf;
        buf[at++] = 0xbd;
      }
    }
  }
  buf[at++] = QUOTE;
  return at;
}

/** `"`, `\` or a control character below U+0020, escaped as `JSON.stringify` does. */
function writeAsciiEscape(buf: Uint8Array, at: number, unit: number): number {
  buf[at++] = BACKSLASH;
  if (unit === QUOTE || unit === BACKSLASH) {
    buf[at++] = unit;
    return at;
  }
  const letter = SHORT_ESCAPES[unit]!;
  if (letter !== 0) {
    buf[at++] = letter;
    return at;
  }
  buf[at++] = 0x75; // u
  buf[at++] = 0x30;
  buf[at++] = 0x30;
  buf[at++] = HEX.charCodeAt(unit >> 4);
  buf[at++] = HEX.charCodeAt(unit & 0xf);
  return at;
}
