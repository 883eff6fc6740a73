/**
 * Request routing: counts every request, answers unknown paths with Odoo's HTML 404 and a wrong
 * key with 401 (never echoing it), serves one call by id, and hands list requests to
 * `serve-list.ts`. A handler that throws answers 500 rather than crashing the test process.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { envelope, errorBody, ODOO_404_HTML, sendHtml, sendJson } from './responses.js';
import { serveList } from './serve-list.js';
import type { SimulatorContext } from './simulator-context.js';

const LIST_PATH = '/api/v1/calls/logs';
const ONE_PATH = /^\/api\/v1\/calls\/logs\/(\d{1,15})$/;

/** The server's request listener. */
export function createRequestListener(ctx: SimulatorContext): RequestListener {
  const expectedAuth = Buffer.from(`Bearer ${ctx.opts.apiKey}`);
  const isAuthorized = (req: IncomingMessage): boolean => {
    const presented = Buffer.from(req.headers.authorization ?? '');
    return presented.length === expectedAuth.length && timingSafeEqual(presented, expectedAuth);
  };
  const handle = (req: IncomingMessage, res: ServerResponse) => route(ctx, isAuthorized, req, res);
  return (req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A bug in the simulator (or a throwing fault plan) must not crash the test process.
      if (!res.headersSent && !res.destroyed) {
        sendJson(
          res,
          500,
          errorBody('Internal Server Error', error instanceof Error ? error.message : 'error'),
        );
      } else {
        res.destroy();
      }
    });
  };
}

async function route(
  ctx: SimulatorContext,
  isAuthorized: (req: IncomingMessage) => boolean,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { stats } = ctx;
  stats.requests++;
  stats.inFlight++;
  stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
  res.on('close', () => {
    stats.inFlight--;
  });
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const one = ONE_PATH.exec(url.pathname);
  if (req.method !== 'GET' || (url.pathname !== LIST_PATH && !one)) {
    sendHtml(res, 404, ODOO_404_HTML);
    return;
  }
  if (!isAuthorized(req)) {
    // Never echo the presented key.
    sendJson(res, 401, errorBody('Unauthorized', 'Invalid or missing API key'), {
      'www-authenticate': 'Bearer',
    });
    return;
  }
  if (one) {
    const text = ctx.store.jsonById(Number(one[1]));
    sendJson(res, 200, text === undefined ? envelope([], 0) : envelope([text], 1));
    return;
  }
  await serveList(ctx, req, res, url.searchParams);
}
