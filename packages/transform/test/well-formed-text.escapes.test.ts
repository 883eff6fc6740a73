/**
 * Issue 13.1: the helpers that make text the same in every format. Lone surrogates (characters
 * or `JSON.stringify` escapes) become U+FFFD; pairs and an escaped backslash followed by the
 * letters `ud800` are left alone.
 */
import { describe, expect, it } from 'vitest';
import { wellFormedJsonText, wellFormedString } from '../src/index.js';

describe('well-formed text', () => {
  it.each([
    ['a\ud800b', 'a\ufffdb'],
    ['\udc00', '\ufffd'],
    ['pair \ud83d\ude00', 'pair \ud83d\ude00'],
    ['plain', 'plain'],
  ])('wellFormedString(%j) → %j', (input, output) => {
    expect(wellFormedString(input)).toBe(output);
  });

  it.each([
    [{ 'k\ud800': 'v\udc00' }, '{"k\ufffd":"v\ufffd"}'],
    [{ literal: '\\ud800' }, '{"literal":"\\\\ud800"}'],
    [{ both: '\\\ud800' }, '{"both":"\\\\\ufffd"}'],
    [['\ud83d\ude00', '\ud83d'], '["\ud83d\ude00","\ufffd"]'],
  ])('wellFormedJsonText(JSON.stringify(%j)) → %s', (value, text) => {
    expect(wellFormedJsonText(JSON.stringify(value))).toBe(text);
    // Still JSON, and DuckDB-safe: no lone-surrogate escape left.
    expect(() => JSON.parse(text)).not.toThrow();
  });
});
