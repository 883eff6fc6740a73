/**
 * Issue 17's "must show": the three formats read back by DuckDB with the same type per column,
 * the shipped `_views.duckdb.sql` giving exactly the declared types (also under a non-UTC
 * session), and Parquet footers that parquet-java and lake engines trust.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { exportCallLogs } from '@omnidim-stream/engine';
import { startSimulator } from '@omnidim-stream/simulator';
import { SCHEMAS, TABLE_NAMES, type TableName } from '@omnidim-stream/transform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const FORMATS = ['parquet', 'csv', 'ndjson'] as const;
type Format = (typeof FORMATS)[number];

// Plain reads, as a user types them (hive_partitioning on, every type left to inference).
const PLAIN: Record<Format, (lake: string, table: string) => string> = {
  parquet: (lake, t) => `read_parquet('${lake}/${t}/**/*.parquet', hive_partitioning = true)`,
  csv: (lake, t) => `read_csv('${lake}/${t}/**/*.csv', hive_partitioning = true)`,
  ndjson: (lake, t) => `read_json('${lake}/${t}/**/*.ndjson', hive_partitioning = true)`,
};

// What each declared logical type must come back as: written out here, not taken from the code
// under test (sinks' DUCKDB_TYPES).
const DECLARED_AS: Record<string, string> = {
  int64: 'BIGINT',
  float64: 'DOUBLE',
  boolean: 'BOOLEAN',
  string: 'VARCHAR',
  json: 'VARCHAR',
  timestamp: 'TIMESTAMP WITH TIME ZONE',
  date: 'DATE',
};

// parquet-java's VersionParser.FORMAT (parquet-common, org/apache/parquet/VersionParser.java),
// anchored because Java's Matcher.matches() must match the whole string.
const PARQUET_JAVA_VERSION = /^(.*?)\s+version\s*(?:([^(]*?)\s*(?:\(\s*build\s*([^)]*?)\s*\))?)?$/;
// parquet-java's SemanticVersion pattern: what makes the version a semver it compares.
const SEMVER = /^(\d+)\.(\d+)\.(\d+)([^-+]*)?(?:-([^+]*))?(?:\+(.*))?$/;

const RECORDS = 1200;
const TIME_ZONE = 'Asia/Kolkata';

async function connect(): Promise<DuckDBConnection> {
  return (await DuckDBInstance.create(':memory:')).connect();
}

async function rows(db: DuckDBConnection, sql: string): Promise<Record<string, unknown>[]> {
  return (await db.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}

async function describeTypes(db: DuckDBConnection, from: string): Promise<Map<string, string>> {
  const described = await rows(db, `DESCRIBE SELECT * FROM ${from}`);
  return new Map(described.map((r) => [String(r['column_name']), String(r['column_type'])]));
}

/** Loads a lake's shipped views into `db`, resolving their relative paths against the lake. */
async function loadViews(db: DuckDBConnection, lake: string): Promise<void> {
  await db.run(`SET file_search_path = '${lake}'`);
  await db.run(await readFile(join(lake, '_views.duckdb.sql'), 'utf8'));
}

describe('the three formats read back with the same types (issue 17)', () => {
  const lakes = {} as Record<Format, string>;
  let root = '';

  // One export per format, shared by the tests below (each only reads the lakes).
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'engine-types-'));
    const sim = await startSimulator({ records: RECORDS, seed: 17 });
    try {
      for (const format of FORMATS) {
        lakes[format] = join(root, format);
        await exportCallLogs({
          apiKey: sim.apiKey,
          baseUrl: sim.url,
          outDir: lakes[format],
          format,
          timeZone: TIME_ZONE,
        });
      }
    } finally {
      await sim.close();
    }
  }, 240_000);
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('DESCRIBE of plain read_parquet / read_csv / read_json agrees per non-empty column', async () => {
    const db = await connect();
    for (const table of TABLE_NAMES) {
      const types = {} as Record<Format, Map<string, string>>;
      for (const format of FORMATS)
        types[format] = await describeTypes(db, PLAIN[format](lakes[format], table));
      const columns = SCHEMAS[table].columns;
      const counts = columns.map((c, i) => `count("${c.name}") AS c${i}`).join(', ');
      const [filled] = await rows(db, `SELECT ${counts} FROM ${PLAIN.parquet(lakes.parquet, table)}`);
      let compared = 0;
      for (const [i, column] of columns.entries()) {
        if (Number(filled?.[`c${i}`]) === 0) continue; // all-null: inference has nothing to go on
        compared++;
        // TIMESTAMP and TIMESTAMPTZ count as one (read_json never infers a zone).
        const seen = FORMATS.map((f) => types[f].get(column.name)?.replace(' WITH TIME ZONE', ''));
        expect({ table, column: column.name, seen }).toEqual({
          table,
          column: column.name,
          seen: FORMATS.map(() => DECLARED_AS[column.type]!.replace(' WITH TIME ZONE', '')),
        });
      }
      expect(compared).toBeGreaterThan(columns.length / 2);
    }
  }, 120_000);

  it('the shipped views give exactly the declared type of every column, in every format', async () => {
    for (const format of FORMATS) {
      const db = await connect();
      await loadViews(db, lakes[format]);
      for (const table of TABLE_NAMES) {
        const types = await describeTypes(db, table);
        expect([...types.keys()]).toEqual(SCHEMAS[table].columns.map((c) => c.name));
        for (const c of SCHEMAS[table].columns) {
          expect({ format, table, column: c.name, type: types.get(c.name) }).toEqual({
            format,
            table,
            column: c.name,
            type: DECLARED_AS[c.type],
          });
        }
      }
    }
  });

  it('under a non-UTC session, NDJSON joins Parquet on (id, time_of_call) for every call via the views', async () => {
    const db = await connect();
    await db.run(`SET TimeZone = 'America/New_York'`);
    await loadViews(db, lakes.parquet);
    await db.run('CREATE TABLE parquet_calls AS SELECT * FROM calls');
    // The plain read is what issue 17 saw: no zone on NDJSON timestamps, so the join misses.
    const [plain] = await rows(
      db,
      `SELECT count(*) AS n FROM parquet_calls p JOIN ${PLAIN.ndjson(lakes.ndjson, 'calls')} j
         ON p.id = j.id AND p.time_of_call = j.time_of_call`,
    );
    expect(Number(plain?.['n'])).toBe(0);
    await loadViews(db, lakes.ndjson);
    const [joined] = await rows(
      db,
      `SELECT count(*) AS n, count(DISTINCT p.id) AS ids FROM parquet_calls p JOIN calls j
         ON p.id = j.id AND p.time_of_call = j.time_of_call AND p.call_date = j.call_date
         AND p.call_duration_in_seconds IS NOT DISTINCT FROM j.call_duration_in_seconds`,
    );
    expect(Number(joined?.['n'])).toBe(RECORDS);
    expect(Number(joined?.['ids'])).toBe(RECORDS);
  });

  it("every Parquet file's created_by parses with parquet-java's VersionParser pattern, with a semver", async () => {
    const db = await connect();
    const files = await rows(
      db,
      `SELECT file_name, created_by FROM parquet_file_metadata('${lakes.parquet}/**/*.parquet')`,
    );
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const match = PARQUET_JAVA_VERSION.exec(String(f['created_by']));
      expect(match, String(f['created_by'])).not.toBeNull();
      expect(match?.[1]).toBe('omnidim-stream');
      expect(match?.[2]).toMatch(SEMVER);
      expect(match?.[3]).toBeTruthy();
    }
  });

  it('Parquet footers carry statistics on every column readers prune by, the time zone, schema version and run id', async () => {
    const db = await connect();
    const manifest = JSON.parse(await readFile(join(lakes.parquet, '_manifest.json'), 'utf8')) as {
      runId: string;
      timeZone: string;
    };
    expect(manifest.timeZone).toBe(TIME_ZONE);
    const chunks = await rows(
      db,
      `SELECT file_name, path_in_schema, num_values, stats_null_count, stats_min_value, stats_max_value
         FROM parquet_metadata('${lakes.parquet}/**/*.parquet')`,
    );
    // Every id, number, time, date and flag column; string and JSON columns may go without
    // (issue 21: free text and JSON text, whose min/max prune nothing, skip them; README).
    const typeOf = (c: Record<string, unknown>) => {
      const table = TABLE_NAMES.find((t) => String(c['file_name']).includes(`/${t}/`));
      return SCHEMAS[table!].columns.find((col) => col.name === String(c['path_in_schema']))!.type;
    };
    const pruned = chunks.filter((c) => !['string', 'json'].includes(typeOf(c)));
    expect(pruned.length).toBeGreaterThan(chunks.length / 2);
    for (const c of pruned) {
      expect(c['stats_null_count'], String(c['path_in_schema'])).not.toBeNull();
      if (Number(c['num_values']) > Number(c['stats_null_count'])) {
        expect(c['stats_min_value'], String(c['path_in_schema'])).not.toBeNull();
        expect(c['stats_max_value'], String(c['path_in_schema'])).not.toBeNull();
      }
    }
    const kv = await rows(
      db,
      `SELECT file_name, decode(key) AS key, decode(value) AS value FROM parquet_kv_metadata('${lakes.parquet}/**/*.parquet')`,
    );
    const byFile = new Map<string, Record<string, string>>();
    for (const r of kv) {
      const entry = byFile.get(String(r['file_name'])) ?? {};
      entry[String(r['key'])] = String(r['value']);
      byFile.set(String(r['file_name']), entry);
    }
    expect(byFile.size).toBeGreaterThan(0);
    for (const [file, meta] of byFile) {
      const table = meta['omnidim.table'] as TableName;
      expect(file).toContain(`/${table}/`);
      expect(meta['omnidim.time_zone']).toBe(TIME_ZONE);
      expect(meta['omnidim.run_id']).toBe(manifest.runId);
      expect(meta['omnidim.schema_version']).toBe(String(SCHEMAS[table].version));
    }
  });
});
