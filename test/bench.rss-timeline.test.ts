/**
 * bench/lib/rss-timeline-preload.mjs, which bench/memory-timeline.ts preloads into the CLI: a
 * process that runs ~300 ms leaves its memory samples (every 50 ms, and one at exit) in the file
 * named, each `[ms, rss, heapTotal, heapUsed, external, arrayBuffers]`, in time order; without
 * the variable it writes nothing.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const PRELOAD = fileURLToPath(new URL('../bench/lib/rss-timeline-preload.mjs', import.meta.url));

describe('bench RSS timeline preload', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes a sample every 50 ms and one at exit, and nothing without its variable', async () => {
    dir = await mkdtemp(join(tmpdir(), 'rss-timeline-'));
    const file = join(dir, 'samples.json');
    const script = 'const keep = Buffer.alloc(32 * 1024 * 1024, 1); setTimeout(() => keep.length, 300);';
    await run(process.execPath, ['--import', PRELOAD, '-e', script], {
      env: { ...process.env, NODE_OPTIONS: '', OMNIDIM_BENCH_RSS_TIMELINE_FILE: file },
    });
    const samples = JSON.parse(await readFile(file, 'utf8')) as number[][];
    expect(samples.length).toBeGreaterThanOrEqual(4);
    for (const sample of samples) {
      expect(sample).toHaveLength(6);
      expect(sample[1]).toBeGreaterThan(sample[2]!); // RSS above the V8 heap's size
    }
    const times = samples.map((s) => s[0]!);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times.at(-1)).toBeGreaterThanOrEqual(250);
    // The 32 MiB Buffer is external memory, seen in the last sample.
    expect(samples.at(-1)![4]).toBeGreaterThan(32 * 1024 * 1024);

    await run(process.execPath, ['--import', PRELOAD, '-e', 'setTimeout(() => {}, 100)'], {
      env: { ...process.env, NODE_OPTIONS: '', OMNIDIM_BENCH_RSS_TIMELINE_FILE: '' },
      cwd: dir,
    });
    expect(await readdir(dir)).toEqual(['samples.json']);
  });
});
