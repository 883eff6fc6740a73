import { describe, expect, it } from 'vitest';
import { summarizeProfile } from '../bench/lib/cpu-profile.js';

const url = (path: string) => `file:///work/main/${path}`;

// A hand-built V8 profile: root → sinks write → hyparquet encode, and a GC sample with no stack.
const profileAt = (writeFile: string) => ({
  nodes: [
    { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: 0 }, children: [2, 5, 6] },
    {
      id: 2,
      callFrame: { functionName: 'write', url: url(writeFile), lineNumber: 9 },
      children: [3],
    },
    {
      id: 3,
      callFrame: {
        functionName: 'encode',
        url: url('node_modules/.pnpm/hyparquet-writer@0.17.0/node_modules/hyparquet-writer/src/column.js'),
        lineNumber: 1,
      },
      children: [],
    },
    { id: 5, callFrame: { functionName: '(garbage collector)', url: '', lineNumber: -1 }, children: [] },
    { id: 6, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 }, children: [] },
  ],
  samples: [3, 3, 2, 5, 6],
  timeDeltas: [1000, 1000, 1000, 1000, 5000],
});

describe('bench cpu-profile summary', () => {
  it.each([
    'packages/sinks/src/parquet.ts',
    // The bench's export cases run the compiled packages (child.ts `compiled`).
    'packages/sinks/dist/parquet.js',
  ])(
    'ranks self time per function without idle, and charges library time to the calling package (%s)',
    (file) => {
      const summary = summarizeProfile(profileAt(file));
      expect(summary.busyMs).toBe(4);
      expect(summary.functions[0]).toMatchObject({
        name: 'encode (node_modules/hyparquet-writer/src/column.js)',
        selfMs: 2,
        percent: 50,
      });
      expect(summary.functions.map((f) => f.name)).not.toContain('(idle)');
      const packages = Object.fromEntries(summary.packages.map((p) => [p.name, p.selfMs]));
      expect(packages).toEqual({ sinks: 3, other: 1 });
    },
  );
});
