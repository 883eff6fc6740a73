/**
 * Text that every output format stores the same way (issue 13). A JavaScript string may hold a
 * lone UTF-16 surrogate (the API can send one as a `\ud800` escape). UTF-8 cannot encode it:
 * Parquet and CSV writers store U+FFFD, but `JSON.stringify` writes it back as a `\ud800` escape,
 * which DuckDB refuses for the whole NDJSON file ("no low surrogate in string"). So text is made
 * well-formed (each lone surrogate → U+FFFD) before it is written anywhere, and JSON text made by
 * `JSON.stringify` gets the same U+FFFD instead of the escape.
 */

// `isWellFormed`/`toWellFormed` are ES2024 (Node ≥ 20); the project's `lib` is ES2023.
const STRING = String.prototype as unknown as {
  isWellFormed(this: string): boolean;
  toWellFormed(this: string): string;
};

/**
 * `text` with every lone surrogate replaced by U+FFFD; the same string when there is none.
 *
 * @example
 * ```ts
 * wellFormedString('a\ud800b'); // 'a\ufffdb'
 * ```
 */
export function wellFormedString(text: string): string {
  return STRING.isWellFormed.call(text) ? text : STRING.toWellFormed.call(text);
}

/**
 * An escape of a lone surrogate in text made by `JSON.stringify` (which writes paired surrogates
 * as they are and lone ones as lowercase `\udXXX`), preceded by an even run of backslashes, so
 * an escaped backslash followed by the letters `ud800` is left alone.
 */
const LONE_SURROGATE_ESCAPE = /(?<!\\)((?:\\\\)*)\\ud[89a-f][0-9a-f]{2}/g;

/**
 * JSON text (as made by `JSON.stringify`) with every lone-surrogate escape replaced by U+FFFD
 * and any lone surrogate character too: the text DuckDB, Parquet and CSV all read the same.
 *
 * @example
 * ```ts
 * wellFormedJsonText(JSON.stringify({ 'k\ud800': 'v' })); // '{"k\ufffd":"v"}'
 * ```
 */
export function wellFormedJsonText(text: string): string {
  const escaped = text.includes('\\ud') ? text.replace(LONE_SURROGATE_ESCAPE, '$1\ufffd') : text;
  return wellFormedString(escaped);
}
