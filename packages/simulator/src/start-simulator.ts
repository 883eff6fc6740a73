/**
 * `startSimulator()`: a node:http server on 127.0.0.1 that serves the call-log API as NOTES.md
 * describes it, with seeded data, fault injection and drift.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { InvalidOptionError, LimitExceededError } from '@omnidim-stream/core';
import { CallStore, type ListFilters } from './call-store.js';
import type { FaultKind, RunningSimulator, SimulatorOptions, SimulatorStats } from './options.js';
import { mixSeed, mulberry32 } from './prng.js';
import { resolveSimulatorOptions } from './resolve-options.js';
import {
  envelope,
  errorBody,
  ODOO_404_HTML,
  ODOO_LOGIN_HTML,
  proxyErrorHtml,
  sendHtml,
  sendJson,
} from './responses.js';

const LIST_PATH = '/api/v1/calls/logs';
const ONE_PATH = /^\/api\/v1\/calls\/logs\/(\d{1,15})$/;
/** pageno/pagesize as the API accepts them: plain decimal integers (NOTES.md: others give 500). */
const INTEGER = /^[0-9]{1,9}$/;
const MAX_PAGE_SIZE = 150;
const DEFAULT_PAGE_SIZE = 30;
/** Bound on one insertCalls() call, so a typo cannot exhaust memory. */
const MAX_INSERT_AT_ONCE = 1_000_000;
/** Number of chunks a 'slow' body is cut into. */
const SLOW_CHUNKS = 20;

/**
 * Starts the simulator on 127.0.0.1 and resolves once it listens.
 *
 * @example
 * const sim = await startSimulator({ records: 1000, seed: 7, faults: { plan: (n) => (n === 2 ? '503' : null) } });
 * const res = await fetch(`${sim.url}/calls/logs?pagesize=150`, { headers: { authorization: `Bearer ${sim.apiKey}` } });
 * const { call_log_data, total_records } = await res.json();
 * await sim.close();
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const opts = resolveSimulatorOptions(options);
  const store = new CallStore(opts.seed, opts.records, opts.oddRecords);
  const stats: SimulatorStats = {
    requests: 0,
    listRequests: 0,
    inFlight: 0,
    maxInFlight: 0,
    faults: {},
    faultsInjected: 0,
    inserted: 0,
    deleted: 0,
    pagesRequested: [],
  };
  const faultRng = mulberry32(mixSeed(opts.seed, 0, 11));
  const expectedAuth = Buffer.from(`Bearer ${opts.apiKey}`);
  const timers = new Set<NodeJS.Timeout>();
  const waiters = new Set<() => void>();
  const sockets = new Set<Socket>();
  let driftInserted = 0;
  let closing: Promise<void> | null = null;

  /** Resolves true after `ms`, or false at once when the server closes first. */
  const wait = (ms: number): Promise<boolean> =>
    new Promise((resolve) => {
      if (closing) return resolve(false);
      const done = (ok: boolean) => {
        clearTimeout(timer);
        timers.delete(timer);
        waiters.delete(cancel);
        resolve(ok);
      };
      const cancel = () => done(false);
      const timer = setTimeout(() => done(true), ms);
      timers.add(timer);
      waiters.add(cancel);
    });

  const chooseFault = (request: number, pageno: number): FaultKind | null => {
    if (opts.faults.plan) return opts.faults.plan(request, pageno);
    if (opts.faults.rate > 0 && faultRng() < opts.faults.rate) {
      return opts.faults.kinds[Math.floor(faultRng() * opts.faults.kinds.length)] ?? null;
    }
    return null;
  };

  const countFault = (kind: FaultKind) => {
    stats.faults[kind] = (stats.faults[kind] ?? 0) + 1;
    stats.faultsInjected++;
  };

  const insert = (count: number): number[] => {
    const ids = store.insert(count);
    stats.inserted += ids.length;
    return ids;
  };

  /** Drift after a list page was served: new calls at the head, deletions further down. */
  const drift = () => {
    const room = opts.drift.maxInserted - driftInserted;
    const n = Math.min(opts.drift.insertPerPage, room);
    if (n > 0) {
      driftInserted += n;
      insert(n);
    }
    if (opts.drift.deletePerPage > 0) stats.deleted += store.deleteOlder(opts.drift.deletePerPage).length;
  };

  const isAuthorized = (req: IncomingMessage): boolean => {
    const presented = Buffer.from(req.headers.authorization ?? '');
    return presented.length === expectedAuth.length && timingSafeEqual(presented, expectedAuth);
  };

  const handleList = async (req: IncomingMessage, res: ServerResponse, query: URLSearchParams) => {
    stats.listRequests++;
    const request = stats.listRequests;
    const pageno = parsePageParam(query.get('pageno'), 1, Number.MAX_SAFE_INTEGER);
    const pagesize = parsePageParam(query.get('pagesize'), DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
    const filters = parseFilters(query);
    if (pageno === null || pagesize === null || filters === null) {
      // The real API answers invalid paging with a 500, not a 400 (NOTES.md "Errors").
      sendJson(
        res,
        500,
        errorBody('Internal Server Error', 'Invalid value for pageno, pagesize or a filter'),
      );
      return;
    }
    stats.pagesRequested.push(pageno);
    const fault = chooseFault(request, pageno);
    if (opts.pageLatencyMs > 0 && !(await wait(opts.pageLatencyMs))) return;
    if (res.destroyed) return;
    if (fault) countFault(fault);
    switch (fault) {
      case '429':
        sendJson(res, 429, errorBody('Too Many Requests', 'Rate limit exceeded, retry later'), {
          'retry-after': String(opts.faults.retryAfterSeconds),
        });
        return;
      case '500':
        sendJson(res, 500, errorBody('Internal Server Error', 'Odoo Server Error'));
        return;
      case '503':
        sendHtml(
          res,
          503,
          proxyErrorHtml(503),
          opts.faults.retryAfterOn503 ? { 'retry-after': String(opts.faults.retryAfterSeconds) } : {},
        );
        return;
      case '502':
      case '504':
        sendHtml(res, Number(fault), proxyErrorHtml(Number(fault)));
        return;
      case 'stall':
        // Nothing at all until stallMs has passed: a client's header timeout must fire first.
        if (!(await wait(opts.faults.stallMs)) || res.destroyed) return;
        break;
      case 'reset':
        // RST before any byte of the response.
        req.socket.resetAndDestroy();
        return;
      case 'html200':
        sendHtml(res, 200, ODOO_LOGIN_HTML);
        return;
      case 'error200':
        // Some endpoints report failure with HTTP 200 and {"status":"error"} (NOTES.md).
        sendJson(
          res,
          200,
          JSON.stringify({ status: 'error', message: 'Odoo Server Error: could not serialize access' }),
        );
        return;
      default:
        break;
    }
    const page = store.page(filters, pageno, pagesize);
    if (fault === 'short' && page.records.length > 0)
      page.records.splice(Math.floor(page.records.length / 2), 1);
    const body = Buffer.from(envelope(page.records, page.total));
    if (fault === 'truncate') {
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(body.length),
      });
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => req.socket.destroy());
      return;
    }
    drift();
    if (fault === 'slow') {
      await sendSlowly(res, body);
      return;
    }
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(body.length),
    });
    res.end(body);
  };

  const sendSlowly = async (res: ServerResponse, body: Buffer) => {
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(body.length),
    });
    const chunks = Math.max(1, Math.min(SLOW_CHUNKS, body.length));
    const size = Math.ceil(body.length / chunks);
    const gap = opts.faults.slowBodyMs / chunks;
    for (let offset = 0; offset < body.length; offset += size) {
      if (offset > 0 && !(await wait(gap))) return;
      if (res.destroyed) return;
      res.write(body.subarray(offset, offset + size));
    }
    res.end();
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
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
      const text = store.jsonById(Number(one[1]));
      sendJson(res, 200, text === undefined ? envelope([], 0) : envelope([text], 1));
      return;
    }
    await handleList(req, res, url.searchParams);
  };

  const server = createServer({ keepAlive: true }, (req, res) => {
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
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/api/v1`,
    apiKey: opts.apiKey,
    stats,
    ids: () => store.ids(),
    oddShapes: () => store.oddShapes(),
    insertCalls(count: number): number[] {
      if (!Number.isInteger(count) || count < 0) {
        throw new InvalidOptionError('count', 'a non-negative integer', count);
      }
      if (count > MAX_INSERT_AT_ONCE) {
        throw new LimitExceededError(
          'insertCalls',
          `at most ${MAX_INSERT_AT_ONCE} calls at once, asked ${count}`,
        );
      }
      return insert(count);
    },
    updateCalls: (ids, patch) => store.update(ids, patch),
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        for (const cancel of [...waiters]) cancel();
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

/** A paging parameter: absent → default; anything but a plain integer in 1..max → null (500). */
function parsePageParam(raw: string | null, fallback: number, max: number): number | null {
  if (raw === null) return fallback;
  if (!INTEGER.test(raw)) return null;
  const value = Number(raw);
  return value >= 1 && value <= max ? value : null;
}

/** Filters by the API's parameter names; unknown parameters are ignored (NOTES.md, inferred). */
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
