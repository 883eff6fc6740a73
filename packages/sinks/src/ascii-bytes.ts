/**
 * Short ASCII pieces of an NDJSON line written straight into bytes: pre-encoded keys, integers
 * and doubles, with no string made for the common values (issue 21: a `String(n)`, a `${text}.0`
 * and a rope node per number were a good part of the encoder's garbage). Each function writes at
 * `at` and returns the offset after what it wrote; the caller leaves room.
 */

/** Most bytes {@link writeSafeInteger} and {@link writeDoubleText} write. */
export const NUMBER_MAX_BYTES = 32;

const ZERO = 0x30;
const MINUS = 0x2d;

/**
 * Copies `bytes` to `at` (a loop: the pieces are keys of a few bytes, where `set()`'s call
 * costs more than the copy).
 *
 * @example
 * writeBytes(buf, 0, new Uint8Array([0x7b])); // 1
 */
export function writeBytes(buf: Uint8Array, at: number, bytes: Uint8Array): number {
  const length = bytes.length;
  for (let i = 0; i < length; i++) buf[at++] = bytes[i]!;
  return at;
}

/**
 * Writes a string known to be ASCII (a number's or a date's text), one byte per code unit.
 *
 * @example
 * writeAscii(buf, 0, '1e+21'); // 5
 */
export function writeAscii(buf: Uint8Array, at: number, text: string): number {
  const length = text.length;
  for (let i = 0; i < length; i++) buf[at++] = text.charCodeAt(i);
  return at;
}

/** Writes the digits of a non-negative safe integer. */
function writeDigits(buf: Uint8Array, at: number, value: number): number {
  if (value < 10) {
    buf[at] = ZERO + value;
    return at + 1;
  }
  let digits = 1;
  for (let power = 10; power <= value; power *= 10) digits++;
  const end = at + digits;
  let rest = value;
  for (let i = end - 1; i >= at; i--) {
    const tens = Math.floor(rest / 10);
    buf[i] = ZERO + (rest - tens * 10);
    rest = tens;
  }
  return end;
}

/**
 * Writes a safe integer as `String(value)` spells it (`-0` as `0`).
 *
 * @example
 * writeSafeInteger(buf, 0, -42); // 3: "-42"
 */
export function writeSafeInteger(buf: Uint8Array, at: number, value: number): number {
  if (value < 0) {
    buf[at++] = MINUS;
    return writeDigits(buf, at, -value);
  }
  return writeDigits(buf, at, value);
}

/**
 * Writes a finite double as `doubleText()` (double-text.ts) spells it: `String(value)`, with `.0`
 * after a whole number that has no exponent (`12.0`, `-0.0`, `1e+21`). Whole numbers up to 2^53
 * are written digit by digit; other values through `String()`.
 *
 * @example
 * writeDoubleText(buf, 0, 12); // 4: "12.0"
 */
export function writeDoubleText(buf: Uint8Array, at: number, value: number): number {
  if (!Number.isInteger(value)) {
    const end = writeShortDecimal(buf, at, value);
    return end >= 0 ? end : writeAscii(buf, at, String(value));
  }
  if (value >= 1e21 || value <= -1e21) return writeAscii(buf, at, String(value));
  let end: number;
  if (value > Number.MAX_SAFE_INTEGER || value < -Number.MAX_SAFE_INTEGER)
    end = writeAscii(buf, at, String(value));
  else if (value === 0 && 1 / value < 0) {
    buf[at] = MINUS;
    end = writeDigits(buf, at + 1, 0);
  } else end = writeSafeInteger(buf, at, value);
  buf[end] = 0x2e; // .
  buf[end + 1] = ZERO;
  return end + 2;
}

/** 10^0 … 10^9: exact doubles. */
const POWERS_OF_TEN = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
/** Below 2^50 two decimals one step apart at a scale cannot round to the same double. */
const UNIQUE_BELOW = 2 ** 50;

/**
 * Writes a non-integer as `String(value)` does when its shortest round-trip decimal has at most 9
 * fraction digits and it is written without exponent (|value| ≥ 1e-6); returns -1 for any other
 * value (the caller uses `String()`), so nothing is written then.
 *
 * Why it is `String(value)`: ECMAScript's Number::toString writes the decimal with the fewest
 * digits that rounds to `value`. For each scale 10^f, f = 1, 2, …, `m = round(|value| × 10^f)` is
 * the only integer whose m / 10^f can round to `value` (|m| < 2^50 keeps the product's rounding
 * error and the spacing of doubles under half a step), and `m / 10^f === |value|` (a correctly
 * rounded division of exact integers) says whether it does. The first f that passes is the
 * shortest decimal, which is unique at that length.
 */
function writeShortDecimal(buf: Uint8Array, at: number, value: number): number {
  const abs = value < 0 ? -value : value;
  if (!(abs >= 1e-6)) return -1;
  for (let f = 1; f < POWERS_OF_TEN.length; f++) {
    const scale = POWERS_OF_TEN[f]!;
    const m = Math.round(abs * scale);
    if (m >= UNIQUE_BELOW) return -1;
    if (m / scale !== abs) continue;
    const whole = Math.floor(m / scale);
    let fraction = m - whole * scale;
    if (value < 0) buf[at++] = MINUS;
    at = writeDigits(buf, at, whole);
    buf[at] = 0x2e; // .
    const end = at + 1 + f;
    for (let i = end - 1; i > at; i--) {
      const tens = Math.floor(fraction / 10);
      buf[i] = ZERO + (fraction - tens * 10);
      fraction = tens;
    }
    return end;
  }
  return -1;
}
