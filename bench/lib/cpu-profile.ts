/**
 * Reads a V8 `.cpuprofile` (written by `node --cpu-prof`) and ranks self time by function and
 * by file, so a missed target comes with the code that bounds it.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Hotspot {
  /** `function (file:line)`; file relative to the repo, node_modules collapsed to the package. */
  name: string;
  file: string;
  selfMs: number;
  /** Share of the profile's non-idle time. */
  percent: number;
}

export interface ProfileSummary {
  /** Non-idle sampled time, ms. */
  busyMs: number;
  functions: Hotspot[];
  files: Hotspot[];
  /**
   * Time charged to the innermost workspace package on the stack (`core`, `transform`, `sinks`,
   * `cli`, `bench`), including the libraries and native calls it made; `other` = GC, the module
   * loader, idle-less runtime work with no package frame on the stack.
   */
  packages: Hotspot[];
}

/** `packages/sinks/src/x.ts` (or `dist/x.js`: the compiled packages the cases run) → `sinks`; `bench/…` → `bench`; otherwise undefined. */
function workspacePackage(url: string): string | undefined {
  const match = /\/packages\/([^/]+)\/(?:src|dist)\//.exec(url);
  if (match && !url.includes('/node_modules/')) return match[1];
  if (/\/bench\//.test(url) && !url.includes('/node_modules/')) return 'bench';
  return undefined;
}

/** Shortens a profile URL: `file:///…/work/main/packages/x/src/y.ts` → `packages/x/src/y.ts`. */
export function shortFile(url: string): string {
  if (url === '') return '(native)';
  let path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    // Keep `node_modules/<pkg>/<rest>` of the innermost package, drop the pnpm store prefix.
    path = `node_modules/${path.slice(modules + '/node_modules/'.length)}`;
  } else {
    const packages = path.indexOf('/packages/');
    const bench = path.indexOf('/bench/');
    if (packages >= 0) path = path.slice(packages + 1);
    else if (bench >= 0) path = path.slice(bench + 1);
  }
  return path;
}

/**
 * Self time of every function and file in one profile, largest first.
 *
 * @example
 * const summary = summarizeProfile(JSON.parse(await readFile('x.cpuprofile', 'utf8')));
 * console.log(summary.functions.slice(0, 10));
 */
export function summarizeProfile(profile: CpuProfile): ProfileSummary {
  const byId = new Map<number, ProfileNode>(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const packages = new Map<string, number>();
  const selfByNode = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] as number;
    // timeDeltas[i] is the time since the previous sample, in µs; attribute it to this sample.
    selfByNode.set(id, (selfByNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const functions = new Map<string, { file: string; us: number }>();
  const files = new Map<string, number>();
  let busyUs = 0;
  for (const [id, us] of selfByNode) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') continue;
    busyUs += us;
    const file = shortFile(url);
    // Under tsx every module is compiled to a few lines, so line numbers are not the source's:
    // functions are named by file only.
    void lineNumber;
    const name = url === '' ? functionName : `${functionName || '(anonymous)'} (${file})`;
    const entry = functions.get(name) ?? { file, us: 0 };
    entry.us += us;
    functions.set(name, entry);
    const fileKey = url === '' ? functionName : file;
    files.set(fileKey, (files.get(fileKey) ?? 0) + us);
    let owner: string | undefined;
    for (let at: number | undefined = id; at !== undefined && owner === undefined; at = parent.get(at)) {
      owner = workspacePackage(byId.get(at)?.callFrame.url ?? '');
    }
    packages.set(owner ?? 'other', (packages.get(owner ?? 'other') ?? 0) + us);
  }
  const pct = (us: number) => (busyUs > 0 ? (100 * us) / busyUs : 0);
  return {
    busyMs: busyUs / 1000,
    functions: [...functions]
      .map(([name, { file, us }]) => ({ name, file, selfMs: us / 1000, percent: pct(us) }))
      .sort((a, b) => b.selfMs - a.selfMs),
    files: [...files]
      .map(([name, us]) => ({ name, file: name, selfMs: us / 1000, percent: pct(us) }))
      .sort((a, b) => b.selfMs - a.selfMs),
    packages: [...packages]
      .map(([name, us]) => ({ name, file: name, selfMs: us / 1000, percent: pct(us) }))
      .sort((a, b) => b.selfMs - a.selfMs),
  };
}

/**
 * Summarizes the main thread's profile in `dir`: the one with the most busy time (the tsx loader
 * runs module hooks on a worker thread, which writes its own, smaller profile).
 */
export async function summarizeProfileDir(dir: string): Promise<ProfileSummary & { path: string }> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.cpuprofile'));
  let best: (ProfileSummary & { path: string }) | undefined;
  for (const name of names) {
    const path = join(dir, name);
    const summary = summarizeProfile(JSON.parse(await readFile(path, 'utf8')) as CpuProfile);
    if (!best || summary.busyMs > best.busyMs) best = { path, ...summary };
  }
  if (!best) throw new Error(`no .cpuprofile in ${dir}`);
  return best;
}

/** Adds up hotspot lists by name (the same function in several threads' profiles). */
function mergeHotspots(lists: readonly Hotspot[][], busyMs: number): Hotspot[] {
  const merged = new Map<string, Hotspot>();
  for (const list of lists) {
    for (const h of list) {
      const entry = merged.get(h.name) ?? { ...h, selfMs: 0 };
      entry.selfMs += h.selfMs;
      merged.set(h.name, entry);
    }
  }
  return [...merged.values()]
    .map((h) => ({ ...h, percent: busyMs > 0 ? (100 * h.selfMs) / busyMs : 0 }))
    .sort((a, b) => b.selfMs - a.selfMs);
}

/**
 * Summarizes every thread's profile in `dir` as one: with worker threads doing the work, the
 * main thread's profile alone would hide most of it. `threads` counts the profiles merged (the
 * tsx loader's hook thread included: its time is the process's too).
 *
 * @example
 * const { threads, functions } = await summarizeProfileDirAllThreads('bench-profiles/parquet');
 */
export async function summarizeProfileDirAllThreads(
  dir: string,
): Promise<ProfileSummary & { threads: number }> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.cpuprofile'));
  if (names.length === 0) throw new Error(`no .cpuprofile in ${dir}`);
  const summaries: ProfileSummary[] = [];
  for (const name of names) {
    summaries.push(summarizeProfile(JSON.parse(await readFile(join(dir, name), 'utf8')) as CpuProfile));
  }
  const busyMs = summaries.reduce((sum, s) => sum + s.busyMs, 0);
  return {
    busyMs,
    threads: summaries.length,
    functions: mergeHotspots(
      summaries.map((s) => s.functions),
      busyMs,
    ),
    files: mergeHotspots(
      summaries.map((s) => s.files),
      busyMs,
    ),
    packages: mergeHotspots(
      summaries.map((s) => s.packages),
      busyMs,
    ),
  };
}
