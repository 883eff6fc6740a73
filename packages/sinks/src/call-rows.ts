/** The one walk over a FlatCallLog's tables that a run's writes and a worker's writes share. */
import type { FlatCallLog, TableName } from '@omnidim-stream/transform';
import type { ResolvedDatasetOptions } from './dataset-options.js';
import { partitionDir } from './partition.js';

/**
 * Calls `write` with each table's rows of one call (tables without rows skipped), in `tables`
 * order, with the call's partition: the one walk over a FlatCallLog that the run's own writes and
 * a {@link PartsWriter}'s share.
 */
export async function writeCallRows(
  log: FlatCallLog,
  tables: readonly TableName[],
  grain: ResolvedDatasetOptions['partitionBy'],
  write: (
    table: TableName,
    partition: string,
    rows: NonNullable<FlatCallLog['tables'][TableName]>,
  ) => Promise<void>,
): Promise<void> {
  const partition = partitionDir(log.partitionDate, grain);
  for (const table of tables) {
    const rows = log.tables[table];
    if (rows && rows.length > 0) await write(table, partition, rows);
  }
}
