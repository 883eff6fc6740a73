/**
 * The source alone: `callLogs()` from @omnidim-stream/core consumed with `for await`, checking
 * that ids come out strictly descending (the API's order) and counting them.
 *
 * Params: { baseUrl, concurrency }. Env: OMNIDIM_API_KEY.
 */
import { callLogs } from '@omnidim-stream/core';
import { benchApiKey, runAsCase } from '../lib/case.js';

interface Params {
  baseUrl: string;
  concurrency: number;
}

await runAsCase<Params>(async ({ baseUrl, concurrency }) => {
  const start = performance.now();
  const source = callLogs({ apiKey: benchApiKey(), baseUrl, concurrency });
  let records = 0;
  let lastId = Number.POSITIVE_INFINITY;
  let ordered = true;
  for await (const call of source) {
    const id = (call as { id: number }).id;
    if (!(id < lastId)) ordered = false;
    lastId = id;
    records++;
  }
  const wallMs = performance.now() - start;
  return {
    wallMs,
    records,
    ordered,
    pagesFetched: source.stats.pagesFetched,
    requests: source.stats.requests,
    retries: source.stats.retries,
  };
});
