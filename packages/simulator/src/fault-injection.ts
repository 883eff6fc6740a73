/**
 * Fault injection on list requests: which fault (if any) a request gets, from the caller's plan
 * or seeded at random, and how each fault is answered, shaped like what the real backend and its
 * proxy do (docs/api-notes.md "Errors").
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FaultKind, SimulatorStats } from './options.js';
import { mixSeed, mulberry32 } from './prng.js';
import type { ResolvedSimulatorOptions } from './resolve-options.js';
import {
  errorBody,
  ODOO_LOGIN_HTML,
  proxyErrorHtml,
  sendHtml,
  sendJson,
  writeJsonHead,
} from './responses.js';
import type { Wait } from './server-lifecycle.js';

/** Number of chunks a 'slow' body is cut into. */
const SLOW_CHUNKS = 20;

type FaultSettings = ResolvedSimulatorOptions['faults'];

/** The fault of the `request`-th list request (1-based) for page `pageno`, or null. */
export type FaultChooser = (request: number, pageno: number) => FaultKind | null;

/** The caller's plan when there is one; else `rate` of the requests, kinds drawn from a seeded stream. */
export function createFaultChooser(faults: FaultSettings, seed: number): FaultChooser {
  const faultRng = mulberry32(mixSeed(seed, 0, 11));
  return (request, pageno) => {
    if (faults.plan) return faults.plan(request, pageno);
    if (faults.rate > 0 && faultRng() < faults.rate) {
      return faults.kinds[Math.floor(faultRng() * faults.kinds.length)] ?? null;
    }
    return null;
  };
}

export function countFault(stats: SimulatorStats, kind: FaultKind): void {
  stats.faults[kind] = (stats.faults[kind] ?? 0) + 1;
  stats.faultsInjected++;
}

/**
 * Answers the faults that replace the page (error statuses, HTML, reset) or delay it (stall).
 * Returns true when the response is settled and the page must not be served; false for no fault,
 * a stall that has passed, and the faults that alter the page itself (short, truncate, slow).
 */
export async function answerFault(
  fault: FaultKind | null,
  req: IncomingMessage,
  res: ServerResponse,
  faults: FaultSettings,
  wait: Wait,
): Promise<boolean> {
  switch (fault) {
    case '429':
      sendJson(res, 429, errorBody('Too Many Requests', 'Rate limit exceeded, retry later'), {
        'retry-after': String(faults.retryAfterSeconds),
      });
      return true;
    case '500':
      sendJson(res, 500, errorBody('Internal Server Error', 'Odoo Server Error'));
      return true;
    case '503':
      sendHtml(
        res,
        503,
        proxyErrorHtml(503),
        faults.retryAfterOn503 ? { 'retry-after': String(faults.retryAfterSeconds) } : {},
      );
      return true;
    case '502':
    case '504':
      sendHtml(res, Number(fault), proxyErrorHtml(Number(fault)));
      return true;
    case 'stall':
      // Nothing at all until stallMs has passed: a client's header timeout must fire first.
      return !(await wait(faults.stallMs)) || res.destroyed;
    case 'reset':
      // RST before any byte of the response.
      req.socket.resetAndDestroy();
      return true;
    case 'html200':
      sendHtml(res, 200, ODOO_LOGIN_HTML);
      return true;
    case 'error200':
      // Some endpoints report failure with HTTP 200 and {"status":"error"} (docs/api-notes.md).
      sendJson(
        res,
        200,
        JSON.stringify({ status: 'error', message: 'Odoo Server Error: could not serialize access' }),
      );
      return true;
    default:
      return false;
  }
}

/** 'truncate': the full content-length announced, half the body sent, then the socket closed. */
export function sendTruncated(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  writeJsonHead(res, body.length);
  res.write(body.subarray(0, Math.floor(body.length / 2)), () => req.socket.destroy());
}

/** 'slow': the body in {@link SLOW_CHUNKS} chunks spread over `slowBodyMs`. */
export async function sendSlowly(
  res: ServerResponse,
  body: Buffer,
  slowBodyMs: number,
  wait: Wait,
): Promise<void> {
  writeJsonHead(res, body.length);
  const chunks = Math.max(1, Math.min(SLOW_CHUNKS, body.length));
  const size = Math.ceil(body.length / chunks);
  const gap = slowBodyMs / chunks;
  for (let offset = 0; offset < body.length; offset += size) {
    if (offset > 0 && !(await wait(gap))) return;
    if (res.destroyed) return;
    res.write(body.subarray(offset, offset + size));
  }
  res.end();
}
