/**
 * One pass over a page's UTF-8 bytes that validates it as JSON and finds, without building any
 * value, the few fields the main thread needs (issue 21): the envelope's `status`, `success`,
 * `total_records` and `call_log_data`, and for each call of `call_log_data` its byte range and
 * the ranges of its own `id` and `time_of_call`. With flatten workers, the worker parses the page
 * anyway; parsing it here too (decode + `JSON.parse`, ~130 µs a call) is what kept the main
 * thread busy (`bench/page-scan.ts` measures both).
 *
 * Exactness is the point: `scanPage(bytes)` throws exactly when `JSON.parse(decodeUtf8(bytes))`
 * throws, and each range it returns, parsed alone ({@link valueAt}), is the value the full parse
 * has there. Why a byte walk can promise that:
 * - every byte below 0x80 decodes to itself and is never part of a multi-byte sequence, and the
 *   decoder replaces a malformed sequence with U+FFFD without swallowing the ASCII byte after it
 *   (WHATWG "maximal subpart"). So the JSON structure (all ASCII) is the same in bytes and text,
 *   any byte ≥ 0x80 is a legal string character (U+FFFD included), and outside a string it is an
 *   error (JSON whitespace and tokens are ASCII; a BOM is not whitespace for JSON.parse);
 * - a range starts and ends on ASCII bytes, where the decoder is in its initial state: decoding
 *   the slice gives the same characters as the same part of the whole text;
 * - duplicate keys: JSON.parse keeps the last, so the last occurrence wins here too, and keys are
 *   compared after unescaping (`"\u0069d"` is `id`); only a call's own keys count, never nested ones.
 * The walk is iterative (an explicit stack), like V8's parser, so nesting depth cannot overflow
 * the call stack where JSON.parse succeeds.
 */
import { Buffer } from 'node:buffer';
import { decodeUtf8 } from './decode-utf8.js';
import { fail, type KeyMatch, scanKey, scanScalar, skipWs } from './page-scan-lexer.js';

/** The bytes `[start, end)` of one JSON value in a page. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** One element of `call_log_data`. */
export interface ScannedCall extends ByteRange {
  /** The element is an object (only then are `id` and `timeOfCall` looked for). */
  readonly isObject: boolean;
  /** Its own `id` member's value (the last one), if any. */
  readonly id: ByteRange | undefined;
  /** Its own `time_of_call` member's value (the last one), if any. */
  readonly timeOfCall: ByteRange | undefined;
}

/** What {@link scanPage} found. Envelope fields are the last occurrence of each key. */
export interface PageScan {
  /** The page is a JSON object (otherwise no envelope field is set). */
  readonly isObject: boolean;
  readonly status: ByteRange | undefined;
  readonly success: ByteRange | undefined;
  readonly totalRecords: ByteRange | undefined;
  readonly callLogData: ByteRange | undefined;
  /** The elements of `call_log_data` when (its last occurrence) is an array. */
  readonly calls: ScannedCall[] | undefined;
}

const OBJECT = 0;
const ARRAY = 1;
const K_OTHER = 0;
const K_STATUS = 1;
const K_SUCCESS = 2;
const K_TOTAL = 3;
const K_CALLS = 4;
const K_ID = 5;
const K_TIME = 6;
const ENVELOPE_KEYS = ['status', 'success', 'total_records', 'call_log_data'];
const CALL_KEYS = ['id', 'time_of_call'];

interface Walk {
  out: {
    isObject: boolean;
    status: ByteRange | undefined;
    success: ByteRange | undefined;
    totalRecords: ByteRange | undefined;
    callLogData: ByteRange | undefined;
    calls: ScannedCall[] | undefined;
  };
  /** The key whose value comes next, at depth 1 (envelope) and in a call object (depth 3). */
  envKey: number;
  callKey: number;
  /** Scanning the array value of `call_log_data` (the stack's second container). */
  inCalls: ScannedCall[] | undefined;
  /** The current element of that array is an object; its id / time ranges so far. */
  callObject: boolean;
  id: ByteRange | undefined;
  time: ByteRange | undefined;
  /** Reused by every key (no allocation per key). */
  match: KeyMatch;
}

/**
 * Validates `bytes` as one JSON text and locates the envelope fields and each call's `id` and
 * `time_of_call`. Throws a SyntaxError naming the byte offset when (and only when)
 * `JSON.parse(decodeUtf8(bytes))` would throw.
 *
 * @example
 * const scan = scanPage(Buffer.from('{"total_records":1,"call_log_data":[{"id":7}]}'));
 * valueAt(Buffer.from('{"total_records":1,"call_log_data":[{"id":7}]}'), scan.calls![0]!.id!); // 7
 */
export function scanPage(bytes: Uint8Array): PageScan {
  const walk: Walk = {
    out: {
      isObject: false,
      status: undefined,
      success: undefined,
      totalRecords: undefined,
      callLogData: undefined,
      calls: undefined,
    },
    envKey: K_OTHER,
    callKey: K_OTHER,
    inCalls: undefined,
    callObject: false,
    id: undefined,
    time: undefined,
    match: { end: 0, index: -1 },
  };
  const n = bytes.length;
  const kinds: number[] = [];
  const starts: number[] = [];
  let pos = skipWs(bytes, 0);
  for (;;) {
    // A value starts at `pos`.
    const b = bytes[pos];
    let start = pos;
    let end: number;
    if (b === 0x7b || b === 0x5b) {
      opened(walk, kinds.length, b === 0x7b);
      kinds.push(b === 0x7b ? OBJECT : ARRAY);
      starts.push(pos);
      pos = skipWs(bytes, pos + 1);
      if (bytes[pos] !== (b === 0x7b ? 0x7d : 0x5d)) {
        if (b === 0x7b) pos = key(bytes, pos, kinds.length, walk);
        continue;
      }
      kinds.pop();
      starts.pop();
      end = pos + 1;
    } else {
      end = scanScalar(bytes, pos);
    }
    // The value [start, end) is complete; close every container it completes.
    for (;;) {
      completed(walk, kinds.length, start, end);
      pos = skipWs(bytes, end);
      const depth = kinds.length;
      if (depth === 0) {
        if (pos !== n) fail(bytes, pos);
        return walk.out;
      }
      const kind = kinds[depth - 1];
      const c = bytes[pos];
      if (c === 0x2c) {
        pos = skipWs(bytes, pos + 1);
        if (kind === OBJECT) pos = key(bytes, pos, depth, walk);
        break;
      }
      if (c !== (kind === OBJECT ? 0x7d : 0x5d)) fail(bytes, pos);
      kinds.pop();
      start = starts.pop() as number;
      end = pos + 1;
    }
  }
}

/** The value at `range` of `bytes`, exactly as `JSON.parse` of the whole page has it. */
export function valueAt(bytes: Uint8Array, range: ByteRange): unknown {
  const slice = Buffer.from(bytes.buffer, bytes.byteOffset + range.start, range.end - range.start);
  return JSON.parse(decodeUtf8(slice));
}

/** A container opens as a value at `depth`. */
function opened(walk: Walk, depth: number, isObject: boolean): void {
  if (depth === 0) walk.out.isObject = isObject;
  else if (depth === 1 && walk.out.isObject && walk.envKey === K_CALLS && !isObject) walk.inCalls = [];
  else if (depth === 2 && walk.inCalls !== undefined && isObject) {
    walk.callObject = true;
    walk.id = undefined;
    walk.time = undefined;
  }
}

/** A value at `depth` ended: record what it was, if it is one of the fields looked for. */
function completed(walk: Walk, depth: number, start: number, end: number): void {
  if (depth === 1 && walk.out.isObject) {
    const out = walk.out;
    const range = { start, end };
    if (walk.envKey === K_STATUS) out.status = range;
    else if (walk.envKey === K_SUCCESS) out.success = range;
    else if (walk.envKey === K_TOTAL) out.totalRecords = range;
    else if (walk.envKey === K_CALLS) {
      out.callLogData = range;
      out.calls = walk.inCalls;
      walk.inCalls = undefined;
    }
  } else if (depth === 2 && walk.inCalls !== undefined) {
    const isObject = walk.callObject;
    walk.inCalls.push({
      start,
      end,
      isObject,
      id: isObject ? walk.id : undefined,
      timeOfCall: isObject ? walk.time : undefined,
    });
    walk.callObject = false;
  } else if (depth === 3 && walk.callObject) {
    if (walk.callKey === K_ID) walk.id = { start, end };
    else if (walk.callKey === K_TIME) walk.time = { start, end };
  }
}

/**
 * A member's key at `pos` of an object whose members are at `depth`, its colon and the
 * whitespace after it; returns where the value starts. Classifies the key where it matters.
 */
function key(bytes: Uint8Array, pos: number, depth: number, walk: Walk): number {
  if (bytes[pos] !== 0x22) fail(bytes, pos);
  const wanted = depth === 1 ? ENVELOPE_KEYS : depth === 3 && walk.callObject ? CALL_KEYS : undefined;
  const found = walk.match;
  scanKey(bytes, pos, wanted, found);
  if (depth === 1) walk.envKey = found.index < 0 ? K_OTHER : K_STATUS + found.index;
  else if (wanted !== undefined) walk.callKey = found.index < 0 ? K_OTHER : K_ID + found.index;
  let at = skipWs(bytes, found.end);
  if (bytes[at] !== 0x3a) fail(bytes, at);
  at = skipWs(bytes, at + 1);
  return at;
}
