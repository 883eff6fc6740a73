import type { RunningSimulator } from '@omnidim-stream/simulator';

/**
 * Waits until the simulator has no request in flight and its request count stayed the same over
 * a short window. Proving that NO further request arrives needs a window of time; there is no
 * event for "nothing happened".
 */
export async function quiesce(sim: RunningSimulator, windowMs = 60): Promise<void> {
  let last = -1;
  for (let i = 0; i < 200; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, windowMs / 3));
    if (sim.stats.inFlight === 0 && sim.stats.requests === last) return;
    last = sim.stats.requests;
  }
  throw new Error('simulator did not quiesce');
}

/**
 * Waits until the simulator has seen `count` list requests (reading ahead sends them as answers
 * arrive, not at once), then until it is quiet ({@link quiesce}). Fails, naming what it saw, if
 * they do not come.
 */
export async function untilListRequests(sim: RunningSimulator, count: number): Promise<void> {
  for (let i = 0; i < 300 && sim.stats.listRequests < count; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  if (sim.stats.listRequests < count) {
    throw new Error(`expected ${count} list requests, the simulator saw ${sim.stats.listRequests}`);
  }
  await quiesce(sim);
}

/** A sleep that records the delays asked for and returns at once (still honouring abort). */
export function fakeSleep() {
  const delays: number[] = [];
  const sleep = async (ms: number, signal: AbortSignal) => {
    delays.push(ms);
    if (signal.aborted) throw signal.reason;
  };
  return { delays, sleep };
}

export function ids(records: { id?: unknown }[]): number[] {
  return records.map((r) => r.id as number);
}

/** Reads a whole source into an array (tests only: the library's point is not to do this). */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const r of iterable) out.push(r);
  return out;
}

/** The ids of a whole source, in the order it handed them on. */
export async function collectIds(iterable: AsyncIterable<{ id?: unknown }>): Promise<number[]> {
  return ids(await collect(iterable));
}
