/**
 * The floor of CPU cost per call: every page fetched with undici `request()` and `JSON.parse`d,
 * nothing else (no validation, no retries, no drift checks, no output). Page 1 first (its
 * `total_records` plans the rest, as any client must), then pages 2…N with `concurrency`
 * requests in flight, consumed in page order.
 *
 * Params: { baseUrl, pageSize, concurrency }. Env: OMNIDIM_API_KEY.
 */
import { Agent, request } from 'undici';
import { benchApiKey, runAsCase } from '../lib/case.js';

interface Params {
  baseUrl: string;
  pageSize: number;
  concurrency: number;
}

interface Envelope {
  call_log_data: { id: number }[];
  total_records: number;
}

await runAsCase<Params>(async ({ baseUrl, pageSize, concurrency }) => {
  const headers = { authorization: `Bearer ${benchApiKey()}` };
  const dispatcher = new Agent({ connections: concurrency });
  const getPage = async (pageno: number): Promise<Envelope> => {
    const res = await request(`${baseUrl}/calls/logs?pageno=${pageno}&pagesize=${pageSize}`, {
      headers,
      dispatcher,
    });
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode} for page ${pageno}`);
    return JSON.parse(await res.body.text()) as Envelope;
  };
  const start = performance.now();
  const first = await getPage(1);
  const pages = Math.ceil(first.total_records / pageSize);
  let records = first.call_log_data.length;
  let lastId = first.call_log_data.at(-1)?.id ?? Number.POSITIVE_INFINITY;
  let ordered = true;
  // Sliding window: pages next … next + concurrency − 1 in flight, consumed in order.
  const inFlight = new Map<number, Promise<Envelope>>();
  let next = 2;
  for (let pageno = 2; pageno <= pages; pageno++) {
    while (next <= pages && next < pageno + concurrency) {
      inFlight.set(next, getPage(next));
      next++;
    }
    const page = await inFlight.get(pageno)!;
    inFlight.delete(pageno);
    for (const call of page.call_log_data) {
      if (!(call.id < lastId)) ordered = false;
      lastId = call.id;
    }
    records += page.call_log_data.length;
  }
  const wallMs = performance.now() - start;
  await dispatcher.close();
  return { wallMs, records, pages, ordered, expected: first.total_records };
});
