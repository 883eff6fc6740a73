/**
 * Issue 21 (memory): the CLI's process entry bounds V8's heap growth (heap-growth.ts), unless
 * Node was started with its own `--heap-growing-percent`. node:v8 is mocked so this test process
 * keeps its own GC settings; the RSS it buys is measured by bench/memory.ts, not here.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';

const setFlags = vi.hoisted(() => vi.fn());
vi.mock('node:v8', async (original) => ({ ...(await original<object>()), setFlagsFromString: setFlags }));

const { heapGrowthFlag, applyHeapGrowth, nodeFlags } = await import('../src/heap-growth.js');
const { run } = await import('../src/bin.js');

beforeEach(() => setFlags.mockClear());

describe('CLI heap growth', () => {
  it('the flag is 25%, and a flag Node was started with wins', () => {
    expect(heapGrowthFlag([])).toBe('--heap-growing-percent=25');
    expect(heapGrowthFlag(['--conditions=source', '--import', 'tsx'])).toBe('--heap-growing-percent=25');
    expect(heapGrowthFlag(['--heap-growing-percent=0'])).toBeUndefined();
    expect(heapGrowthFlag(['--heap_growing_percent=50'])).toBeUndefined();
    expect(applyHeapGrowth(['--heap-growing-percent=0'])).toBeUndefined();
    expect(setFlags).not.toHaveBeenCalled();
  });

  it('a flag in NODE_OPTIONS wins too (where a container sets its node flags)', () => {
    const flags = nodeFlags({ NODE_OPTIONS: '--max-old-space-size=512  --heap-growing-percent=10' });
    expect(flags).toContain('--heap-growing-percent=10');
    expect(heapGrowthFlag(flags)).toBeUndefined();
    expect(heapGrowthFlag(nodeFlags({ NODE_OPTIONS: '--max-old-space-size=512' }))).toBe(
      '--heap-growing-percent=25',
    );
    const before = process.env['NODE_OPTIONS'];
    process.env['NODE_OPTIONS'] = '--heap-growing-percent=10';
    try {
      expect(applyHeapGrowth()).toBeUndefined();
    } finally {
      if (before === undefined) delete process.env['NODE_OPTIONS'];
      else process.env['NODE_OPTIONS'] = before;
    }
    expect(setFlags).not.toHaveBeenCalled();
  });

  it('run() (what bin/omnidim-stream.js calls) sets it before the command runs', async () => {
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await run(['--version'])).toBe(0);
    } finally {
      stdout.mockRestore();
      process.exitCode = undefined;
    }
    expect(setFlags).toHaveBeenCalledWith('--heap-growing-percent=25');
    // young-generation.ts: the cap's growth factor (what it is depends on this process's new space).
    expect(setFlags).toHaveBeenCalledWith(expect.stringMatching(/^--semi-space-growth-factor=\d+$/));
  });
});
