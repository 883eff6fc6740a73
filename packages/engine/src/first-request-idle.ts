/**
 * Runs a warm-up once the run's first HTTP request is on the wire (issue 21, goal 5). Until page 1
 * is answered the pipeline has nothing to do (at 500 ms per page the CLI's thread sat idle ~500
 * ms), so one-time costs of the first rows (the Parquet codec: sinks writer-warm-up.ts) are moved
 * there. Started any earlier, their synchronous part would delay that first request by as much
 * as it saves; so the trigger is undici's `undici:client:sendHeaders` diagnostics channel
 * (published when a request's headers are written to its socket), the client core pages with.
 * A source that makes no request (a file, a user's iterable) never triggers it: the first writer
 * then pays the cost as before. Nothing depends on the warm-up having run or finished.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';

const SEND_HEADERS = 'undici:client:sendHeaders';

/**
 * Calls `warmUp` once, on the next turn of the event loop after the first request's headers are
 * sent; the returned function stops waiting (call it when the run ends). `warmUp`'s rejection is
 * swallowed: a warm-up cannot fail a run.
 *
 * @example
 * const stop = afterFirstRequestSent(() => warmUpWriterCodec({ format: 'parquet' }));
 * try { await run(); } finally { stop(); }
 */
export function afterFirstRequestSent(warmUp: () => Promise<void>): () => void {
  let done = false;
  const onSend = () => {
    stop();
    // Not inside undici's write path: the request goes out first, the warm-up runs after.
    setImmediate(() => {
      warmUp().catch(() => undefined);
    });
  };
  const stop = () => {
    if (done) return;
    done = true;
    unsubscribe(SEND_HEADERS, onSend);
  };
  subscribe(SEND_HEADERS, onSend);
  return stop;
}
