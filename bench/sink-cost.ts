/**
 * The dataset sink's own cost, without HTTP: simulated calls (the simulator's generator, newest
 * first, the same sparse-then-dense history as the API) flattened by the real transform, written
 * by `createDatasetSink`. Each case runs in its own process. The sink's CPU is the case's CPU
 * minus the same generation + flattening done without a sink (`none`), in the same process
 * right before, so both halves see the same machine load.
 *
 *   node --conditions=source --import tsx bench/sink-cost.ts [--calls 20000] [--formats ndjson,parquet] [--repeat 2]
 *   node --conditions=source --import tsx bench/sink-cost.ts --memory [--calls 20000,200000]
 *
 * `--memory` runs Parquet only and reports peak RSS (VmHWM) of the sink process.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { generateCallLog } from '@omnidim-stream/simulator';
import { createDatasetSink, type DatasetFormat } from '@omnidim-stream/sinks';
import { type FlatCallLog, flattenCallLog } from '@omnidim-stream/transform';

const SEED = 1;

function* flatLogs(calls: number): Generator<FlatCallLog> {
  for (let i = calls - 1; i >= 0; i--) yield flattenCallLog(generateCallLog(SEED, i));
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
}

function peakRss(): number {
  const m = /^VmHWM:\s+(\d+)\s+kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : process.resourceUsage().maxRSS * 1024;
}

async function child(format: DatasetFormat, calls: number, out: string, memory: boolean): Promise<void> {
  let baseCpu = 0;
  if (!memory) {
    const t = process.cpuUsage();
    let n = 0;
    for (const log of flatLogs(calls)) n += log.tables.calls.length;
    baseCpu = cpuMs(t);
    if (n !== calls) throw new Error('generator mismatch');
  }
  const t = process.cpuUsage();
  const start = performance.now();
  const sink = createDatasetSink({ out, format });
  await pipeline(Readable.from(flatLogs(calls)), sink);
  const totalCpu = cpuMs(t);
  const wall = performance.now() - start;
  const files = sink.manifest!.files.length;
  process.stdout.write(
    `${JSON.stringify({ format, calls, baseCpu, totalCpu, wall, files, rss: peakRss(), heap: process.memoryUsage().heapUsed })}\n`,
  );
}

interface Result {
  format: string;
  calls: number;
  baseCpu: number;
  totalCpu: number;
  wall: number;
  files: number;
  rss: number;
}

function run(format: string, calls: number, memory: boolean): Result {
  const out = mkdtempSync(join(tmpdir(), 'bench-sink-cost-'));
  try {
    const self = fileURLToPath(import.meta.url);
    const argv = ['--conditions=source', '--import', 'tsx', self, '--child', format, String(calls), out];
    if (memory) argv.push('--memory');
    const r = spawnSync('sh', ['-c', 'exec "$@"', 'sh', process.execPath, ...argv], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    if (r.status !== 0) throw new Error(`${format} ${calls} failed:\n${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as Result;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]! : fallback;
};
if (args[0] === '--child') {
  await child(args[1] as DatasetFormat, Number(args[2]), args[3]!, args.includes('--memory'));
} else if (args.includes('--memory')) {
  const counts = opt('--calls', '20000,200000').split(',').map(Number);
  console.log('calls     files  wall s  peak RSS MB');
  for (const calls of counts) {
    const r = run('parquet', calls, true);
    console.log(
      `${String(calls).padEnd(8)} ${String(r.files).padStart(6)} ${(r.wall / 1000).toFixed(1).padStart(7)} ${(r.rss / 1e6).toFixed(1).padStart(12)}`,
    );
  }
} else {
  const calls = Number(opt('--calls', '20000'));
  const formats = opt('--formats', 'ndjson,parquet').split(',');
  const repeat = Number(opt('--repeat', '2'));
  console.log(`${calls} calls; sink µs/call = (CPU with sink − CPU generating + flattening alone) / calls`);
  console.log('format    files  gen µs/call  total µs/call  sink µs/call  wall s');
  for (let k = 0; k < repeat; k++) {
    for (const format of formats) {
      const r = run(format, calls, false);
      const per = (ms: number) => ((ms * 1000) / calls).toFixed(0);
      console.log(
        `${format.padEnd(8)} ${String(r.files).padStart(6)} ${per(r.baseCpu).padStart(12)} ${per(r.totalCpu).padStart(14)} ${per(r.totalCpu - r.baseCpu).padStart(13)} ${(r.wall / 1000).toFixed(1).padStart(7)}`,
      );
    }
  }
}
