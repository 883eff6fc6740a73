/**
 * Stream call logs from the API and count them as they arrive.
 *
 * With OMNIDIM_API_KEY set this reads the real API (OMNIDIM_BASE_URL overrides the base URL);
 * without it, it starts the built-in simulator on 127.0.0.1 so it runs anywhere, offline.
 *
 *   pnpm exec tsx --conditions=source examples/stream-call-logs.ts
 */
import { callLogs } from '@omnidim-stream/core';
import { startSimulator } from '@omnidim-stream/simulator';

const simulator = process.env.OMNIDIM_API_KEY ? undefined : await startSimulator({ records: 1_000, seed: 7 });
const apiKey = simulator?.apiKey ?? process.env.OMNIDIM_API_KEY ?? '';
const baseUrl = simulator?.url ?? process.env.OMNIDIM_BASE_URL;

try {
  const source = callLogs({ apiKey, ...(baseUrl ? { baseUrl } : {}), pageSize: 150, concurrency: 4 });

  const byStatus = new Map<string, number>();
  let interactions = 0;
  // The Readable is also an async iterator: records come in API order (newest first), and pages
  // are fetched only as this loop pulls them (at most `concurrency` ahead).
  for await (const log of source) {
    const status = typeof log.call_status === 'string' ? log.call_status : 'unknown';
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    if (Array.isArray(log.interactions)) interactions += log.interactions.length;
  }

  const { records, pagesFetched, retries } = source.stats;
  console.log(`call logs: ${records} in ${pagesFetched} pages (${retries} retries)`);
  console.log(`interactions: ${interactions}`);
  for (const [status, count] of [...byStatus].sort()) console.log(`  ${status}: ${count}`);
} finally {
  await simulator?.close();
}
