/**
 * Reads what V8 tells about one process's garbage collection: the `--trace-gc-nvp` lines of its
 * main thread (bytes allocated in the young generation, scavenges and mark-compacts with their
 * pauses, bytes that survived a scavenge or were promoted to old space), and a sampling heap
 * profile (bench/lib/heap-sampling-preload.mjs) ranked by allocating function.
 */
import { readFile } from 'node:fs/promises';

export interface GcTrace {
  allocatedBytes: number;
  scavenges: number;
  scavengeMs: number;
  /** Bytes a scavenge copied within the young generation. */
  survivedBytes: number;
  /** Bytes a scavenge moved to old space: the ones a mark-compact must then trace. */
  promotedBytes: number;
  markCompacts: number;
  markCompactMs: number;
}

/** The main thread's figures from `--trace-gc-nvp` output (the isolate with the most lines). */
export function parseGcTrace(output: string): GcTrace {
  const lines = output.split('\n').filter((line) => line.includes(' gc='));
  const isolates = new Map<string, number>();
  for (const line of lines) {
    const isolate = /^\[\d+:(0x[0-9a-f]+)\]/.exec(line)?.[1];
    if (isolate) isolates.set(isolate, (isolates.get(isolate) ?? 0) + 1);
  }
  const main = [...isolates].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
  const trace: GcTrace = {
    allocatedBytes: 0,
    scavenges: 0,
    scavengeMs: 0,
    survivedBytes: 0,
    promotedBytes: 0,
    markCompacts: 0,
    markCompactMs: 0,
  };
  for (const line of lines) {
    if (!line.includes(main)) continue;
    const field = (name: string) => Number(new RegExp(` ${name}=([0-9.]+)`).exec(line)?.[1] ?? 0);
    trace.allocatedBytes += field('allocated');
    trace.survivedBytes += field('new_space_survived');
    trace.promotedBytes += field('promoted');
    if (line.includes(' gc=s ')) {
      trace.scavenges++;
      trace.scavengeMs += field('pause');
    } else {
      trace.markCompacts++;
      trace.markCompactMs += field('pause');
    }
  }
  return trace;
}

interface HeapNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children: HeapNode[];
}

export interface AllocationSite {
  /** `function (file:line)`, file relative to the repo or the package. */
  name: string;
  bytes: number;
}

/** The sampled bytes of a heap profile by allocating function, most first, and their total. */
export async function allocationSites(path: string): Promise<{ total: number; sites: AllocationSite[] }> {
  const profile = JSON.parse(await readFile(path, 'utf8')) as {
    head: HeapNode;
    samples: { nodeId: number; size: number }[];
  };
  const sizes = new Map<number, number>();
  for (const s of profile.samples) sizes.set(s.nodeId, (sizes.get(s.nodeId) ?? 0) + s.size);
  const byName = new Map<string, number>();
  let total = 0;
  const stack: HeapNode[] = [profile.head];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    const bytes = sizes.get(node.id) ?? 0;
    if (bytes > 0) {
      const f = node.callFrame;
      const file = f.url.replace(/^.*?\/(packages|node_modules)\//, '$1/').replace(/^file:\/\/.*\//, '');
      const name = `${f.functionName || '(anonymous)'} (${file || 'native'}${file ? `:${f.lineNumber + 1}` : ''})`;
      byName.set(name, (byName.get(name) ?? 0) + bytes);
      total += bytes;
    }
    stack.push(...node.children);
  }
  const sites = [...byName].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
  return { total, sites };
}
