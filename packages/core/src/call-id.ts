/**
 * The identity of a call log row. Rows of `call_log_data` are not trusted to be objects, nor to
 * carry an id (drift.ts "Records without an id"); everything that dedupes, anchors or
 * checkpoints on an id asks this one function.
 */

/**
 * The identity of a row of `call_log_data`: its `id` when the row is an object whose id is a
 * number or a string; undefined for anything else (no id, `id: null`, a non-object row).
 *
 * @example
 * idOf({ id: 7 }); // 7
 * idOf(null); // undefined
 */
export function idOf(row: unknown): number | string | undefined {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return undefined;
  const id = (row as { id?: unknown }).id;
  return typeof id === 'number' || typeof id === 'string' ? id : undefined;
}
