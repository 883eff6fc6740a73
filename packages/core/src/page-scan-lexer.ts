/**
 * The tokens of page-scan.ts, over UTF-8 bytes: strings, numbers, literals, whitespace, each
 * checked against the JSON grammar (ECMA-404, as `JSON.parse` applies it) and skipped without
 * building a value. Every function returns the offset after its token or throws a SyntaxError.
 */
import { Buffer } from 'node:buffer';
import { decodeUtf8 } from './decode-utf8.js';

/** Where a key ended (after its closing quote) and which wanted name it is (-1: none). */
export interface KeyMatch {
  end: number;
  index: number;
}

/** Throws the scan's SyntaxError for the byte at `pos` (or the end of the input). */
export function fail(bytes: Uint8Array, pos: number): never {
  const what = pos >= bytes.length ? 'end of input' : `byte 0x${(bytes[pos] as number).toString(16)}`;
  throw new SyntaxError(`JSON: unexpected ${what} at offset ${pos}`);
}

/** The offset of the first byte at or after `pos` that is not JSON whitespace (tab, LF, CR, space). */
export function skipWs(bytes: Uint8Array, pos: number): number {
  let i = pos;
  for (;;) {
    const b = bytes[i];
    if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return i;
    i++;
  }
}

/** A string, number or literal at `pos`; anything else (including the end) is an error. */
export function scanScalar(bytes: Uint8Array, pos: number): number {
  const b = bytes[pos];
  if (b === 0x22) return scanString(bytes, pos);
  if (b === 0x2d || (b !== undefined && b >= 0x30 && b <= 0x39)) return scanNumber(bytes, pos);
  if (b === 0x74) return literal(bytes, pos, TRUE);
  if (b === 0x66) return literal(bytes, pos, FALSE);
  if (b === 0x6e) return literal(bytes, pos, NULL);
  return fail(bytes, pos);
}

/**
 * The key string at `pos`: sets `match.end` and `match.index`, the index in `wanted` of the name
 * it is after unescaping (`"\u0069d"` is `id`), or -1.
 */
export function scanKey(
  bytes: Uint8Array,
  pos: number,
  wanted: readonly string[] | undefined,
  match: KeyMatch,
): void {
  const end = scanString(bytes, pos);
  match.end = end;
  match.index = -1;
  if (wanted === undefined) return;
  if (stringEscaped) {
    // Escaped (rare): compare the key as JSON.parse has it.
    const text = JSON.parse(decodeUtf8(Buffer.from(bytes.buffer, bytes.byteOffset + pos, end - pos)));
    match.index = wanted.indexOf(text as string);
    return;
  }
  const length = end - pos - 2;
  for (let w = 0; w < wanted.length; w++) {
    const name = wanted[w] as string;
    if (name.length !== length) continue;
    let same = true;
    for (let i = 0; i < length; i++) {
      if (bytes[pos + 1 + i] !== name.charCodeAt(i)) {
        same = false;
        break;
      }
    }
    if (same) {
      match.index = w;
      return;
    }
  }
}

/** Whether the last string {@link scanString} read held an escape (read right after it). */
let stringEscaped = false;

/**
 * A string at `pos` (its opening quote). Returns the offset after the closing quote and sets
 * {@link stringEscaped}. Control characters (< 0x20) are refused, escapes
 * are one of `" \ / b f n r t` or `u` and four hex digits; every other byte, ≥ 0x80 included
 * (the decoder turns a malformed sequence into U+FFFD, a legal character), is taken as is.
 */
function scanString(bytes: Uint8Array, pos: number): number {
  const n = bytes.length;
  let escaped = false;
  let i = pos + 1;
  for (;;) {
    // The hot loop of a page (most of its bytes are string contents): one table load per byte.
    while (i < n && STRING_STOP[bytes[i] as number] === 0) i++;
    if (i >= n) fail(bytes, i);
    const b = bytes[i] as number;
    if (b === 0x22) {
      stringEscaped = escaped;
      return i + 1;
    }
    if (b === 0x5c) {
      escaped = true;
      const e = bytes[i + 1];
      if (e === 0x75) {
        for (let h = i + 2; h < i + 6; h++) if (!isHex(bytes[h])) fail(bytes, h);
        i += 6;
      } else if (
        e === 0x22 ||
        e === 0x5c ||
        e === 0x2f ||
        e === 0x62 ||
        e === 0x66 ||
        e === 0x6e ||
        e === 0x72 ||
        e === 0x74
      ) {
        i += 2;
      } else {
        fail(bytes, i + 1);
      }
    } else {
      fail(bytes, i); // a control character (< 0x20)
    }
  }
}

/** 1 for the bytes that end a run of plain string contents: `"`, `\` and controls (< 0x20). */
const STRING_STOP = (() => {
  const table = new Uint8Array(256);
  table.fill(1, 0, 0x20);
  table[0x22] = 1;
  table[0x5c] = 1;
  return table;
})();

function isHex(b: number | undefined): boolean {
  return (
    b !== undefined && ((b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66))
  );
}

function isDigit(b: number | undefined): boolean {
  return b !== undefined && b >= 0x30 && b <= 0x39;
}

/** `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` */
function scanNumber(bytes: Uint8Array, pos: number): number {
  let i = pos;
  if (bytes[i] === 0x2d) i++;
  if (bytes[i] === 0x30) i++;
  else if (isDigit(bytes[i])) while (isDigit(bytes[i])) i++;
  else fail(bytes, i);
  if (bytes[i] === 0x2e) {
    i++;
    if (!isDigit(bytes[i])) fail(bytes, i);
    while (isDigit(bytes[i])) i++;
  }
  if (bytes[i] === 0x65 || bytes[i] === 0x45) {
    i++;
    if (bytes[i] === 0x2b || bytes[i] === 0x2d) i++;
    if (!isDigit(bytes[i])) fail(bytes, i);
    while (isDigit(bytes[i])) i++;
  }
  return i;
}

const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

function literal(bytes: Uint8Array, pos: number, word: readonly number[]): number {
  for (let i = 0; i < word.length; i++) if (bytes[pos + i] !== word[i]) fail(bytes, pos + i);
  return pos + word.length;
}
