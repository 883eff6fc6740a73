import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import {
  type DatasetManifest,
  duckdbReadSql,
  readManifest,
  verifyManifestFiles,
} from '@omnidim-stream/sinks';
import { SCHEMAS, type TableName } from '@omnidim-stream/transform';

export type Format = 'parquet' | 'csv' | 'ndjson';
export const FORMATS: readonly Format[] = ['parquet', 'csv', 'ndjson'];
export const TABLES: readonly TableName[] = ['calls', 'interactions', 'function_calls', 'webhooks'];

/** Every file under `dir` (relative, `/`-separated), sorted; [] when `dir` does not exist. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

/**
 * Data files of one table on disk, relative to `out`: everything under `<table>/` except marker
 * files whose name starts with `_` (`_SUCCESS`), which readers skip by convention.
 */
export async function tableFiles(out: string, table: TableName): Promise<string[]> {
  return (await listFiles(join(out, table)))
    .filter((f) => !(f.split('/').pop() ?? '').startsWith('_'))
    .map((f) => `${table}/${f}`);
}

export class DuckReader {
  readonly #connection: DuckDBConnection;
  readonly #instance: DuckDBInstance;

  private constructor(instance: DuckDBInstance, connection: DuckDBConnection) {
    this.#instance = instance;
    this.#connection = connection;
  }

  static async open(): Promise<DuckReader> {
    const instance = await DuckDBInstance.create(':memory:');
    return new DuckReader(instance, await instance.connect());
  }

  async query(sql: string): Promise<Record<string, unknown>[]> {
    const reader = await this.#connection.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  }

  /** `SELECT <select> FROM <table of the dataset>`; [] when the table has no file on disk. */
  async select(
    out: string,
    format: Format,
    table: TableName,
    select: string,
    where = 'true',
  ): Promise<Record<string, unknown>[]> {
    if ((await tableFiles(out, table)).length === 0) return [];
    const from = duckdbReadSql({ format, path: `${out}/${table}/*/*`, schema: SCHEMAS[table] });
    return this.query(`SELECT ${select} FROM ${from} t WHERE ${where}`);
  }

  /** The `id` (or `column`) of every row of a table, as numbers. */
  async ids(out: string, format: Format, table: TableName = 'calls', column = 'id'): Promise<number[]> {
    const rows = await this.select(out, format, table, `CAST("${column}" AS BIGINT) AS v`);
    return rows.map((r) => Number(r['v']));
  }

  /** Every row of one data file as JSON text (how data files are searched for secrets). */
  async fileRowsAsJson(out: string, format: Format, file: string, table: TableName): Promise<string[]> {
    const from = duckdbReadSql({
      format,
      path: join(out, file),
      schema: SCHEMAS[table],
      hivePartitioning: false,
    });
    const rows = await this.query(`SELECT CAST(to_json(t) AS VARCHAR) AS j FROM ${from} t`);
    return rows.map((r) => String(r['j']));
  }

  close(): void {
    this.#connection.closeSync();
    this.#instance.closeSync();
  }
}

export interface DatasetCheck {
  manifest: DatasetManifest;
  /** Rows per table, as DuckDB read them. */
  rows: Record<TableName, number>;
}

/**
 * Asserts (by throwing, with `hint` in the message) that the dataset at `out` is whole and
 * readable: manifest present and verified, no orphan data file, DuckDB row counts = manifest's.
 */
export async function checkDataset(
  reader: DuckReader,
  out: string,
  format: Format,
  hint: string,
): Promise<DatasetCheck> {
  const manifest = await readManifest(out);
  if (!manifest) throw new Error(`no _manifest.json in ${out} ${hint}`);
  const problems = await verifyManifestFiles(out);
  if (problems.length > 0) throw new Error(`manifest mismatch: ${JSON.stringify(problems)} ${hint}`);
  const listed = new Set(manifest.files.map((f) => f.path));
  const rows = {} as Record<TableName, number>;
  for (const table of TABLES) {
    const onDisk = await tableFiles(out, table);
    const orphans = onDisk.filter((f) => !listed.has(f));
    if (orphans.length > 0) throw new Error(`files not in the manifest: ${orphans.join(', ')} ${hint}`);
    const [count] = await reader.select(out, format, table, 'count(*) AS n');
    rows[table] = Number(count?.['n'] ?? 0);
    const expected = manifest.files.filter((f) => f.table === table).reduce((n, f) => n + f.rows, 0);
    if (rows[table] !== expected) {
      throw new Error(`${table}: DuckDB read ${rows[table]} rows, the manifest says ${expected} ${hint}`);
    }
  }
  return { manifest, rows };
}

/** Where a needle was found. */
export interface Finding {
  file: string;
  needle: string;
}

/**
 * Searches every file under `out` (`_` files, staging leftovers and the raw archive included) for
 * each needle: as stored bytes, gunzipped for `.gz`, and, for data files, every row as DuckDB
 * reads it (Parquet pages are compressed, so their bytes alone prove nothing).
 */
export async function findInDataset(
  reader: DuckReader,
  out: string,
  format: Format,
  needles: readonly (string | RegExp)[],
): Promise<Finding[]> {
  const found: Finding[] = [];
  const search = (file: string, text: string) => {
    for (const needle of needles) {
      const hit = typeof needle === 'string' ? text.includes(needle) : needle.test(text);
      if (hit) found.push({ file, needle: String(needle) });
    }
  };
  for (const file of await listFiles(out)) {
    const bytes = await readFile(join(out, file));
    search(file, bytes.toString('latin1'));
    if (file.endsWith('.gz')) search(`${file} (gunzipped)`, gunzipSync(bytes).toString('utf8'));
    const table = TABLES.find((t) => file.startsWith(`${t}/`));
    const name = file.split('/').pop() ?? '';
    if (table && !name.startsWith('_') && !name.endsWith('.staged')) {
      search(`${file} (rows)`, (await reader.fileRowsAsJson(out, format, file, table)).join('\n'));
    }
  }
  return found;
}

/** Ids appearing more than once. */
export function duplicates(ids: readonly number[]): number[] {
  const seen = new Set<number>();
  const dup = new Set<number>();
  for (const id of ids) (seen.has(id) ? dup : seen).add(id);
  return [...dup];
}

/**
 * Compares the exported call ids with the ids that existed at the start: returns the missing
 * ones, the duplicated ones and the unexpected ones (present but never in the simulator).
 */
export function compareIds(
  expected: readonly number[],
  exported: readonly number[],
  allowedExtra: ReadonlySet<number> = new Set(),
): { missing: number[]; duplicated: number[]; unexpected: number[] } {
  const got = new Set(exported);
  const want = new Set(expected);
  return {
    missing: expected.filter((id) => !got.has(id)),
    duplicated: duplicates(exported),
    unexpected: [...got].filter((id) => !want.has(id) && !allowedExtra.has(id)),
  };
}
