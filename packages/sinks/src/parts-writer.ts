/**
 * A run's part-file writing away from the run (issue 21): a worker thread flattens call logs and
 * writes their rows into the run's staging dir with its own {@link StagedParts}, drawing file
 * names from the run's shared sequence. Built from {@link PartsWriterConfig}, plain data that
 * crosses a thread boundary; the run adopts what {@link PartsWriter.flush} returns
 * (`DatasetSink`'s adopted-parts request), in order with the data.
 */
import type { FlatCallLog, TableName } from '@omnidim-stream/transform';
import { writeCallRows } from './call-rows.js';
import type { StagedFileInfo } from './dataset-checkpoint.js';
import type { ResolvedDatasetOptions } from './dataset-options.js';
import { loadWriterFactory, type WriterOptions } from './dataset-writers.js';
import { StagedParts, type StagedPartsConfig } from './staged-parts.js';

/** Everything a {@link PartsWriter} needs: structured-clone safe (no functions). */
export interface PartsWriterConfig {
  parts: StagedPartsConfig;
  writer: WriterOptions;
  tables: TableName[];
  partitionBy: ResolvedDatasetOptions['partitionBy'];
  /** The run's part-file sequence (`Int32Array` over a SharedArrayBuffer, see StagedParts). */
  sequence: Int32Array;
}

/** What a writer staged since its previous flush: closed, fsync'd files and their counts. */
export interface PartsFlush {
  files: StagedFileInfo[];
  /** Call logs written (each is one FlatCallLog, whatever its tables held). */
  calls: number;
  rows: Partial<Record<TableName, number>>;
}

/** Writes FlatCallLogs into a run's staging dir from another thread (see the module comment). */
export class PartsWriter {
  readonly #config: PartsWriterConfig;
  readonly #parts: StagedParts;
  #flushed = 0;
  #calls = 0;
  #rows: Partial<Record<TableName, number>> = {};

  constructor(config: PartsWriterConfig) {
    this.#config = config;
    this.#parts = new StagedParts(config.parts);
    this.#parts.useSequence(config.sequence);
  }

  /** Loads the format's writer; call once before {@link write}. */
  async open(): Promise<void> {
    this.#parts.useWriters(await loadWriterFactory(this.#config.writer));
  }

  /** Writes one call's rows to this writer's open file of each of its tables. */
  async write(log: FlatCallLog): Promise<void> {
    this.#parts.throwIfFailed();
    this.#calls++;
    await writeCallRows(
      log,
      this.#config.tables,
      this.#config.partitionBy,
      async (table, partition, rows) => {
        await this.#parts.write(table, partition, log.partitionDate, rows);
        this.#rows[table] = (this.#rows[table] ?? 0) + rows.length;
      },
    );
  }

  /** Closes and fsyncs every file (and their dirs); returns what was staged since the last flush. */
  async flush(): Promise<PartsFlush> {
    await this.#parts.closeAll();
    await this.#parts.sync([]);
    const files = this.#parts.files.slice(this.#flushed);
    this.#flushed += files.length;
    const flush: PartsFlush = { files, calls: this.#calls, rows: this.#rows };
    this.#calls = 0;
    this.#rows = {};
    return flush;
  }

  /** Stops the open writers (their half-written files stay for the run's cleanup). */
  destroy(): Promise<void> {
    return this.#parts.destroy();
  }
}
