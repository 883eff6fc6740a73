/**
 * Where an export's garbage comes from (issue 21: GC was 12–17% of an export's CPU). Runs
 * `exportCallLogs()` (bench/cases/engine-export.ts, compiled packages, default options) on a
 * zero-latency replay of N calls, per format, twice: under V8's sampling heap profiler keeping
 * every sample (all allocations) and keeping only those no scavenge collected (what was promoted
 * to old space, the part that makes scavenges copy and mark-compacts trace). Both runs also print
 * `--trace-gc-nvp`'s totals of the main thread. Prints figures; asserts nothing.
 *
 *   node --conditions=source --import tsx bench/gc-profile.ts [--calls 20000] [--format ndjson|parquet] [--top 12]
 *
 * Measured with it (2026-12-01, 20k calls, Node 20, NDJSON): ~1.1 GB allocated, of which ~200 MB
 * are core's parse of the pages (`interpret`, fetch-page.ts), and nearly all of those are
 * promoted: a page is parsed when it arrives and waits in the read-ahead window while the pages
 * before it are flattened, long enough for two scavenges. The transform's and the encoder's
 * garbage dies young (cheap to collect): cutting 20% of the bytes allocated left the promoted
 * bytes and the CPU as they were.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flagValue } from './lib/args.js';
import { ensureBuiltCli } from './lib/built-cli.js';
import { RESULT_PREFIX } from './lib/child.js';
import { allocationSites, type GcTrace, parseGcTrace } from './lib/gc-trace.js';
import { startReplayServer } from './lib/replay-server.js';
import { fmt, mb, printTable } from './lib/table.js';
import { timeProcess } from './lib/timed-process.js';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const PRELOAD = fileURLToPath(new URL('./lib/heap-sampling-preload.mjs', import.meta.url));
const CASE = fileURLToPath(new URL('./cases/engine-export.ts', import.meta.url));

const calls = Number(flagValue('calls', '20000'));
const top = Number(flagValue('top', '12'));
const formats = flagValue('format', '') ? [flagValue('format', '')] : ['ndjson', 'parquet'];

interface Run {
  trace: GcTrace;
  cpuUsPerCall: number;
  total: number;
  sites: { name: string; bytes: number }[];
}

/** One export under the heap sampler (`keep`: all samples, or promoted only) and --trace-gc-nvp. */
async function profiledExport(
  baseUrl: string,
  apiKey: string,
  format: string,
  keep: 'all' | 'promoted',
): Promise<Run> {
  const dir = await mkdtemp(join(tmpdir(), 'omnidim-bench-gc-'));
  try {
    const heapFile = join(dir, 'heap.json');
    const params = JSON.stringify({ baseUrl, out: join(dir, 'out'), format });
    const run = await timeProcess(
      process.execPath,
      ['--trace-gc-nvp', '--import', PRELOAD, '--import', 'tsx', CASE, params],
      {
        cwd: REPO_ROOT,
        env: { OMNIDIM_API_KEY: apiKey, OMNIDIM_BENCH_HEAP_FILE: heapFile, OMNIDIM_BENCH_HEAP_KEEP: keep },
      },
    );
    const line = run.stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
    if (run.code !== 0 || line === undefined)
      throw new Error(`export failed (${run.code}): ${run.stderr.slice(-2000)}`);
    const result = JSON.parse(line.slice(RESULT_PREFIX.length)) as { cpuMs: number; records: number };
    if (result.records !== calls) throw new Error(`export read ${result.records} calls, expected ${calls}`);
    const { total, sites } = await allocationSites(heapFile);
    return { trace: parseGcTrace(run.stdout), cpuUsPerCall: (result.cpuMs * 1000) / calls, total, sites };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

ensureBuiltCli();
const replay = await startReplayServer({ seed: 1, records: calls });
try {
  for (const format of formats) {
    const all = await profiledExport(replay.url, replay.apiKey, format, 'all');
    const promoted = await profiledExport(replay.url, replay.apiKey, format, 'promoted');
    const gcRow = (name: string, r: Run) => {
      const t = r.trace;
      return [
        name,
        fmt(r.cpuUsPerCall),
        mb(t.allocatedBytes),
        fmt(t.allocatedBytes / calls / 1024, 1),
        `${t.scavenges} / ${fmt(t.scavengeMs)}`,
        mb(t.survivedBytes),
        mb(t.promotedBytes),
        `${t.markCompacts} / ${fmt(t.markCompactMs)}`,
      ];
    };
    printTable(
      `GC of an export → ${format}, ${fmt(calls)} calls, 0 ms (main thread, --trace-gc-nvp)`,
      [
        'run',
        'CPU µs/call',
        'allocated MB',
        'KB/call',
        'scavenges / ms',
        'survived MB',
        'promoted MB',
        'mark-compacts / ms',
      ],
      [gcRow('all samples', all), gcRow('promoted samples', promoted)],
      [
        'Both runs are under the sampling heap profiler, which costs CPU of its own: compare runs of this script, not with bench/cpu.ts.',
      ],
    );
    const share = (bytes: number, total: number) => `${((100 * bytes) / total).toFixed(1)}%`;
    printTable(
      `Top allocating functions → ${format}: all samples (${mb(all.total)} MB sampled)`,
      ['%', 'MB', 'function'],
      all.sites.slice(0, top).map((s) => [share(s.bytes, all.total), mb(s.bytes), s.name]),
    );
    printTable(
      `Top allocating functions → ${format}: samples no scavenge collected (${mb(promoted.total)} MB)`,
      ['%', 'MB', 'function'],
      promoted.sites.slice(0, top).map((s) => [share(s.bytes, promoted.total), mb(s.bytes), s.name]),
    );
  }
} finally {
  await replay.close();
}
