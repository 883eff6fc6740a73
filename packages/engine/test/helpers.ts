import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '@omnidim-stream/simulator';
import { afterEach } from 'vitest';

/** Rows of a DuckDB query (an independent reader of what the engine wrote). */
export async function duck(sql: string): Promise<Record<string, unknown>[]> {
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  return (await db.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
}

/** The calls table of a Parquet lake, for DuckDB. */
export function callsOf(lake: string): string {
  return `read_parquet('${lake}/calls/**/*.parquet', hive_partitioning = true)`;
}

/**
 * A simulator on 127.0.0.1 and temp lakes per test, closed and removed after each: call in a
 * `describe`.
 */
export function engineScope() {
  let sim: RunningSimulator | undefined;
  const dirs: string[] = [];
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });
  return {
    async start(options: SimulatorOptions = {}): Promise<RunningSimulator> {
      sim = await startSimulator({ records: 300, ...options });
      return sim;
    },
    async lake(): Promise<string> {
      const dir = await mkdtemp(join(tmpdir(), 'engine-'));
      dirs.push(dir);
      return join(dir, 'lake');
    },
  };
}
