/**
 * UTF-8 bytes to a string: exactly what `Buffer#toString('utf8')` returns, by a faster route
 * where this Node has one (issue 21, goal 3: CPU per call).
 *
 * Why: a page of `GET /calls/logs` is ~1.2 MB with non-Latin-1 text (Hindi conversations). Before
 * nodejs/node#61131 (Node 24.13.1), `toString('utf8')` is V8's scalar decoder: ~10 ms a page,
 * 12% of an export's CPU. The routes, each exact:
 * - ASCII only (`isAscii`, simdutf): the bytes ARE the Latin-1 string, and `toString('latin1')`
 *   is a copy (0.1 ms for an ASCII page where V8 took 5 ms on Node 20 and 22);
 * - well-formed UTF-8 (`isUtf8`, simdutf): ICU (`transcode` to UTF-16, `u_strFromUTF8`) and a
 *   copy into the string, ~1.2-2 ms a page. For well-formed input both decoders map each scalar
 *   value to itself, a leading U+FEFF included (neither strips a BOM, nor do we);
 * - anything else goes to `toString('utf8')` itself: malformed bytes (V8 replaces them with
 *   U+FFFD, maximal-subpart style; ICU's `transcode` refuses them), or no working ICU here.
 * Where `toString('utf8')` already decodes with simdutf (~1.0 ms a page on 24.13.1, 0.26 ms on
 * 26) it beats the ICU round trip (1.1-1.4 and 0.41 ms) and takes the non-ASCII text.
 * Figures: `bench/page-decode.ts` on each Node.
 */
import { Buffer, isAscii, isUtf8, transcode } from 'node:buffer';

/** Who decodes well-formed non-ASCII UTF-8: ICU (`transcode`) or V8/Node (`toString('utf8')`). */
export type WideDecoder = 'icu' | 'node';

/**
 * Whether this Node's `toString('utf8')` decodes with simdutf: nodejs/node#61131, released in
 * 24.13.1 (measured: 24.13.0 still takes ~10 ms a page, 24.13.1 ~1 ms) and in 26. No API reveals
 * it, hence the version. 25.x is left to ICU: which 25 release has the change was not measured,
 * and ICU is the cheap mistake (~1.2× simdutf's time, against ~6× for V8's decoder the other way).
 *
 * @example
 * hasSimdUtf8ToString('24.13.1'); // true
 * hasSimdUtf8ToString('22.12.0'); // false
 */
export function hasSimdUtf8ToString(version: string): boolean {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map((part) => Number.parseInt(part, 10));
  if (major !== 24) return major >= 26;
  return minor > 13 || (minor === 13 && patch >= 1);
}

/**
 * ICU's UTF-8 to UTF-16 works in this process: `transcode` exists (Node built with Intl) and
 * decodes a sample of every UTF-8 length class. Checked once, so that a failure is a choice made
 * at load, not an exception in the middle of a page.
 */
function icuTranscodes(): boolean {
  if (typeof transcode !== 'function') return false;
  const sample = 'a\u00e9\u0939\u{1f600}\ufeff';
  try {
    return transcode(Buffer.from(sample, 'utf8'), 'utf8', 'utf16le').toString('utf16le') === sample;
  } catch {
    return false;
  }
}

/** The decoder of well-formed non-ASCII text in this process (see {@link hasSimdUtf8ToString}). */
export const WIDE_DECODER: WideDecoder =
  !hasSimdUtf8ToString(process.versions.node) && icuTranscodes() ? 'icu' : 'node';

/**
 * Decodes `bytes` as UTF-8, returning exactly `bytes.toString('utf8')`: malformed sequences as
 * U+FFFD, a BOM kept. `wide` picks the decoder of well-formed non-ASCII text; the default is the
 * faster one on this Node ({@link WIDE_DECODER}); `'icu'` requires ICU (`transcode`).
 *
 * @example
 * decodeUtf8(Buffer.from('नमस्ते', 'utf8')); // 'नमस्ते'
 * decodeUtf8(Buffer.from([0x61, 0xff])); // 'a\ufffd', like toString
 */
export function decodeUtf8(bytes: Buffer, wide: WideDecoder = WIDE_DECODER): string {
  if (isAscii(bytes)) return bytes.toString('latin1');
  // isUtf8 is what makes the ICU route exact: on malformed input ICU throws, V8 substitutes.
  if (wide === 'icu' && isUtf8(bytes)) return transcode(bytes, 'utf8', 'utf16le').toString('utf16le');
  return bytes.toString('utf8');
}
