import type { Row, TableName } from '@omnidim-stream/transform';

/**
 * The call a row belongs to: `id` in `calls`, `call_id` in the child tables. Merge-on-write and
 * compact key rows by it (a re-read call replaces its rows in every table).
 *
 * @example
 * callIdOf('interactions', { call_id: 10002, id: 7 }); // 10002
 */
export function callIdOf(table: TableName, row: Row): unknown {
  return table === 'calls' ? row['id'] : row['call_id'];
}
