/**
 * `GET /api/v1/calls/logs`: paging and filter parameters checked as the API checks them, the
 * request's fault injected, the page served, then the list drifts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ListFilters } from './call-store.js';
import { answerFault, countFault, sendSlowly, sendTruncated } from './fault-injection.js';
import { envelope, errorBody, sendJson, writeJsonHead } from './responses.js';
import type { SimulatorContext } from './simulator-context.js';

/** pageno/pagesize as the API accepts them: plain decimal integers (docs/api-notes.md: others give 500). */
const INTEGER = /^[0-9]{1,9}$/;
const MAX_PAGE_SIZE = 150;
const DEFAULT_PAGE_SIZE = 30;

/** Answers one list request (already routed and authorised). */
export async function serveList(
  ctx: SimulatorContext,
  req: IncomingMessage,
  res: ServerResponse,
  query: URLSearchParams,
): Promise<void> {
  const { opts, stats, wait } = ctx;
  stats.listRequests++;
  const request = stats.listRequests;
  const pageno = parsePageParam(query.get('pageno'), 1, Number.MAX_SAFE_INTEGER);
  const pagesize = parsePageParam(query.get('pagesize'), DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  const filters = parseFilters(query);
  if (pageno === null || pagesize === null || filters === null) {
    // The real API answers invalid paging with a 500, not a 400 (docs/api-notes.md "Errors").
    sendJson(res, 500, errorBody('Internal Server Error', 'Invalid value for pageno, pagesize or a filter'));
    return;
  }
  stats.pagesRequested.push(pageno);
  const fault = ctx.chooseFault(request, pageno);
  if (opts.pageLatencyMs > 0 && !(await wait(opts.pageLatencyMs))) return;
  if (res.destroyed) return;
  if (fault) countFault(stats, fault);
  if (await answerFault(fault, req, res, opts.faults, wait)) return;
  if (opts.serveGate) {
    await opts.serveGate(request, pageno, pagesize);
    if (res.destroyed) return;
  }
  const page = ctx.store.page(filters, pageno, pagesize);
  if (fault === 'short' && page.records.length > 0)
    page.records.splice(Math.floor(page.records.length / 2), 1);
  const body = Buffer.from(envelope(page.records, page.total));
  if (fault === 'truncate') {
    sendTruncated(req, res, body);
    return;
  }
  ctx.drift.afterPage();
  if (fault === 'slow') {
    await sendSlowly(res, body, opts.faults.slowBodyMs, wait);
    return;
  }
  writeJsonHead(res, body.length);
  res.end(body);
}

/** A paging parameter: absent → default; anything but a plain integer in 1..max → null (500). */
function parsePageParam(raw: string | null, fallback: number, max: number): number | null {
  if (raw === null) return fallback;
  if (!INTEGER.test(raw)) return null;
  const value = Number(raw);
  return value >= 1 && value <= max ? value : null;
}

/** Filters by the API's parameter names; unknown parameters are ignored (docs/api-notes.md, inferred). */
function parseFilters(query: URLSearchParams): ListFilters | null {
  const id = (name: string): number | null | undefined => {
    const raw = query.get(name);
    if (raw === null || raw === '') return null;
    // The backend converts ids with int(): a non-integer is a server error.
    return INTEGER.test(raw) ? Number(raw) : undefined;
  };
  const agentId = id('agentid');
  const bulkCallId = id('bulk_call_id');
  if (agentId === undefined || bulkCallId === undefined) return null;
  const status = query.get('call_status');
  // An unknown status is an equality filter that matches nothing, like a misspelt `no_answer`.
  return { agentId, bulkCallId, callStatus: status === null || status === '' ? null : status };
}
