/**
 * What a scenario needs from the runner: the mode, a shared cache of replay servers (recording a
 * 20k-call history takes a while, so run-all records it once for every scenario that uses it),
 * scratch directories, and cleanup.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchArgs, parseBenchArgs } from './args.js';
import { type ReplayServer, startReplayServer } from './replay-server.js';

export interface BenchContext extends BenchArgs {
  /** A replay server of the simulator's history `(seed, records)`, latency reset to 0. */
  replay(records: number, seed?: number): Promise<ReplayServer>;
  /** A fresh scratch directory, removed by `close()`. */
  scratch(prefix: string): Promise<string>;
  /** Removes one scratch directory now (outputs can be large). */
  discard(dir: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Creates a context; call `close()` at the end.
 *
 * @example
 * const ctx = createBenchContext(parseBenchArgs(process.argv.slice(2)));
 * try { await runLatency(ctx); } finally { await ctx.close(); }
 */
export function createBenchContext(args: BenchArgs): BenchContext {
  const replays = new Map<string, Promise<ReplayServer>>();
  const dirs = new Set<string>();
  return {
    ...args,
    async replay(records, seed = 1) {
      const key = `${seed}:${records}`;
      let server = replays.get(key);
      if (!server) {
        server = startReplayServer({ seed, records });
        replays.set(key, server);
      }
      const ready = await server;
      ready.setLatency(0);
      return ready;
    },
    async scratch(prefix) {
      const dir = await mkdtemp(join(tmpdir(), `omnidim-bench-${prefix}-`));
      dirs.add(dir);
      return dir;
    },
    async discard(dir) {
      dirs.delete(dir);
      await rm(dir, { recursive: true, force: true });
    },
    async close() {
      for (const server of replays.values()) await (await server).close();
      replays.clear();
      for (const dir of dirs) await rm(dir, { recursive: true, force: true });
      dirs.clear();
    },
  };
}

/**
 * Runs one scenario as a standalone script: parses the flags, runs, cleans up.
 *
 * @example
 * await runStandalone(runLatency);
 */
export async function runStandalone(scenario: (ctx: BenchContext) => Promise<unknown>): Promise<void> {
  const ctx = createBenchContext(parseBenchArgs(process.argv.slice(2)));
  try {
    await scenario(ctx);
  } finally {
    await ctx.close();
  }
}

/** True when this module is the process's entry script (not imported by run-all). */
export function isMain(importMetaUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && fileURLToPath(importMetaUrl) === resolve(entry);
}
