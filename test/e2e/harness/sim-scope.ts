/**
 * A simulator and temp directories per test, closed and removed after each (call at the top of
 * a test file): the set-up the unattended-run scenarios share.
 */
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '@omnidim-stream/simulator';
import { afterEach } from 'vitest';
import { tempDir } from './scenario.js';

export interface SimScope {
  /** Starts this test's simulator (closed after the test). */
  start(options: SimulatorOptions): Promise<RunningSimulator>;
  /** A temp directory removed after the test; its path. */
  temp(prefix: string): Promise<string>;
  /** Runs `cleanup` after the test (a server of the test's own). */
  defer(cleanup: () => Promise<void>): void;
}

export function simScope(): SimScope {
  let sim: RunningSimulator | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
    for (const c of cleanups.splice(0)) await c();
  });
  return {
    async start(options) {
      sim = await startSimulator(options);
      return sim;
    },
    async temp(prefix) {
      const dir = await tempDir(prefix);
      cleanups.push(dir.remove);
      return dir.path;
    },
    defer(cleanup) {
      cleanups.push(cleanup);
    },
  };
}
