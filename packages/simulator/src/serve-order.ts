/**
 * A deterministic serve order for the simulator (`serveGate`): the first `batch` list requests
 * after page 1 (the prefetch window a concurrency-`batch` source sends at once) are held until
 * all of them have arrived, then served one after the other by `rank` (smaller first); every
 * other request is served at once. Over parallel connections the server may serve a window in
 * any order: this makes each such order reproducible. Pass `gate` as the `serveGate` option.
 *
 * @example
 * const order = serveOrder(8, (p) => -p); // the window served last page first
 * const sim = await startSimulator({ serveGate: order.gate, drift: { insertPerPage: 5, deletePerPage: 5 } });
 */
import { rngFor } from './prng.js';

/** PRNG stream of serve orders (apart from the streams that generate calls). */
const SERVE_ORDER_STREAM = 0x5e4e;

export interface ServeOrder {
  gate: (request: number, pageno: number) => Promise<void> | undefined;
  /** Page numbers of the held window, in the order they were served. */
  served: number[];
}

/** Serves the held window sorted by `rank` (smaller first). */
export function serveOrder(batch: number, rank: (pageno: number) => number): ServeOrder {
  const held: { pageno: number; release: () => void }[] = [];
  const served: number[] = [];
  let windowDone = false;
  const gate = (request: number, pageno: number): Promise<void> | undefined => {
    if (windowDone || request === 1) return undefined;
    return new Promise<void>((release) => {
      held.push({ pageno, release });
      if (held.length < batch) return;
      windowDone = true;
      // Released in rank order: each continuation reads its page (and drifts the list)
      // synchronously, in the order the promises were resolved. Released on the next turn of
      // the event loop: the request that completes the window awaits its gate only once this
      // executor has returned, so released here its continuation would queue after every
      // other one and that page would always be served last, whatever its rank.
      setImmediate(() => {
        for (const h of held.sort((a, b) => rank(a.pageno) - rank(b.pageno))) {
          served.push(h.pageno);
          h.release();
        }
      });
    });
  };
  return { gate, served };
}

/** A seeded permutation rank: the same seed, the same order (one draw per page number). */
export function seededRank(seed: number): (pageno: number) => number {
  return (pageno: number) => rngFor(seed, pageno, SERVE_ORDER_STREAM)();
}
