import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { main } from '@omnidim-stream/cli';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '@omnidim-stream/simulator';
import { afterEach } from 'vitest';

/** A recognisable API key: if it shows up in any output or file, a test fails. */
export const SECRET_KEY = 'sk-test-CANARY-7f3a9c1e5b2d4f60';

export interface MainRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured output and a controlled environment. */
export async function runMain(
  argv: string[],
  options: {
    env?: Record<string, string | undefined>;
    signal?: AbortSignal;
    isTTY?: boolean;
    cwd?: string;
  } = {},
): Promise<MainRun> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
    env: options.env ?? {},
    isTTY: options.isTTY ?? false,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  return { code, stdout, stderr };
}

/** A simulator on 127.0.0.1 that accepts {@link SECRET_KEY}; close it in afterEach. */
export function simulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  return startSimulator({ apiKey: SECRET_KEY, records: 300, ...options });
}

export async function tempDir(prefix: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `cli-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

let connection: DuckDBConnection | undefined;

/** Rows of a DuckDB query (an independent reader of the files the CLI wrote). */
export async function duck(sql: string): Promise<Record<string, unknown>[]> {
  connection ??= await (await DuckDBInstance.create(':memory:')).connect();
  const reader = await connection.runAndReadAll(sql);
  return reader.getRowObjectsJson() as Record<string, unknown>[];
}

/** Every file under `dir` (relative, `/`-separated), sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

/** True when `needle` appears in any file under `dir` (gzip files are read as stored bytes). */
export async function anyFileContains(dir: string, needle: string): Promise<string | undefined> {
  for (const file of await listFiles(dir)) {
    const bytes = await readFile(join(dir, file));
    if (bytes.includes(needle)) return file;
  }
  return undefined;
}

/** Env pointing the CLI at a running simulator. */
export function envFor(sim: RunningSimulator): Record<string, string> {
  return { OMNIDIM_API_KEY: sim.apiKey, OMNIDIM_BASE_URL: sim.url };
}

/**
 * The per-test simulator and temp lakes most export tests repeat: call in a `describe`; the
 * simulator started with `start()` and every lake made with `lake()` are removed after each test.
 */
export function simulatorScope(prefix: string) {
  let sim: RunningSimulator | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
    for (const c of cleanups.splice(0)) await c();
  });
  return {
    async start(options: SimulatorOptions = {}): Promise<RunningSimulator> {
      sim = await simulator(options);
      return sim;
    },
    async lake(): Promise<string> {
      const dir = await tempDir(prefix);
      cleanups.push(dir.remove);
      return join(dir.path, 'lake');
    },
  };
}

/**
 * The stderr lines of a run that are not its routine log lines (the start line and the summary
 * line, issue 19): warnings, errors, retries, drift notes. A clean run has none.
 */
export function problemLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => line.trim() !== '')
    .filter((line) => !/^omnidim-stream \w+: (run \S+ started: |Wrote \d+ file\(s\) to )/.test(line));
}
