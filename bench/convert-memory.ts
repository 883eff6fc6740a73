/**
 * Does `omnidim-stream convert` run in flat memory whatever the input size? Generates JSON array
 * files of simulated call logs (written streaming, never held in memory), converts each in a
 * child process and prints the child's peak RSS and throughput. Flat memory = the big file's
 * peak RSS is close to the small file's.
 *
 *   node --conditions=source --import tsx bench/convert-memory.ts [bigMB=400] [smallMB=40] [format=parquet]
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);

if (process.argv[2] === '--child') {
  // The measured process: one convert, then its peak RSS (resourceUsage().maxRSS is in KiB).
  const { main } = await import('@omnidim-stream/cli');
  const [input, out, format] = process.argv.slice(3) as [string, string, string];
  const started = performance.now();
  const code = await main(['convert', input, '--out', out, '--format', format, '--json'], {
    stdout: { write: (chunk: string) => process.stdout.write(chunk) },
    stderr: process.stderr,
  });
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `${JSON.stringify({ code, seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024 })}\n`,
  );
  process.exitCode = code;
} else {
  const { generateCallLog } = await import('@omnidim-stream/simulator');
  const bigMB = Number(process.argv[2] ?? 400);
  const smallMB = Number(process.argv[3] ?? 40);
  const format = process.argv[4] ?? 'parquet';
  const dir = await mkdtemp(join(tmpdir(), 'bench-convert-'));

  /** Writes a JSON array of about `mb` MiB of call logs, newest first, honouring backpressure. */
  async function writeArray(path: string, mb: number): Promise<{ calls: number; bytes: number }> {
    const target = mb * 1024 * 1024;
    // Estimate the call count from a sample, then write exactly that many, newest first.
    let sample = 0;
    for (let i = 0; i < 200; i++) sample += JSON.stringify(generateCallLog(11, i)).length + 1;
    const calls = Math.max(1, Math.round(target / (sample / 200)));
    const file = createWriteStream(path);
    const write = async (chunk: string) => {
      if (!file.write(chunk)) await once(file, 'drain');
    };
    await write('[');
    for (let i = calls - 1; i >= 0; i--) {
      await write(JSON.stringify(generateCallLog(11, i)) + (i > 0 ? ',\n' : ''));
    }
    await write(']\n');
    file.end();
    await once(file, 'finish');
    return { calls, bytes: (await stat(path)).size };
  }

  async function measure(label: string, mb: number): Promise<void> {
    const input = join(dir, `${label}.json`);
    const { calls, bytes } = await writeArray(input, mb);
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', self, '--child', input, join(dir, `${label}-out`), format],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    await once(child, 'close');
    const lines = out.trim().split('\n');
    const summary = JSON.parse(lines[0] ?? '{}') as { records?: number; filesWritten?: number };
    const m = JSON.parse(lines.at(-1) ?? '{}') as { code: number; seconds: number; maxRssMiB: number };
    const mib = bytes / 1024 / 1024;
    console.log(
      `${label.padEnd(5)} ${mib.toFixed(0).padStart(5)} MiB, ${calls.toLocaleString('en-US').padStart(7)} calls → ${format}: ` +
        `exit ${m.code}, ${summary.records} records, ${summary.filesWritten} files, ${m.seconds.toFixed(1)} s, ` +
        `${(mib / m.seconds).toFixed(1)} MiB/s, ${(calls / m.seconds).toFixed(0)} calls/s, peak RSS ${m.maxRssMiB.toFixed(0)} MiB`,
    );
    await rm(input, { force: true });
    await rm(join(dir, `${label}-out`), { recursive: true, force: true });
  }

  try {
    await measure('small', smallMB);
    await measure('big', bigMB);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
