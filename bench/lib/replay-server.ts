/**
 * A loopback server that replays the simulator's list pages from memory.
 *
 * Why: the simulator builds every call log and its JSON on request (its JSON cache holds 4,000
 * calls), which costs the serving process more CPU per call than a client spends parsing it. On a
 * 2-core machine that would make the *server* the bottleneck of the CPU-cost benchmark and of
 * high-concurrency latency runs, hiding the client's cost. So the pages are fetched once from the
 * real simulator (byte for byte the same bodies), then served from Buffers, optionally after a
 * fixed per-page delay (the simulator's `pageLatencyMs` semantics: the delay precedes the body).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { startSimulator } from '@omnidim-stream/simulator';
import { request } from 'undici';

export interface ReplayServer {
  /** Base URL including `/api/v1`, like the simulator's. */
  url: string;
  apiKey: string;
  /** Records served by a full pass (the simulator's `records`). */
  records: number;
  pages: number;
  /** Bytes of all page bodies. */
  bytes: number;
  /** List requests served so far, and the most seen in flight at once. */
  stats: { listRequests: number; inFlight: number; maxInFlight: number };
  /** Changes the delay before each list response. */
  setLatency(ms: number): void;
  close(): Promise<void>;
}

export interface ReplayOptions {
  seed: number;
  records: number;
  /** The page size recorded; requests for another page size get the API's 500. Default 150. */
  pageSize?: number;
  latencyMs?: number;
}

const LIST_PATH = '/api/v1/calls/logs';

/**
 * Records every page of a simulator history, stops the simulator, and serves the pages.
 *
 * @example
 * const replay = await startReplayServer({ seed: 1, records: 20_000 });
 * replay.setLatency(150);
 * await replay.close();
 */
export async function startReplayServer(options: ReplayOptions): Promise<ReplayServer> {
  const pageSize = options.pageSize ?? 150;
  const sim = await startSimulator({ seed: options.seed, records: options.records });
  const bodies: Buffer[] = [];
  let bytes = 0;
  try {
    const pages = Math.ceil(options.records / pageSize);
    // The empty page after the last one is recorded too: a client may ask for it.
    for (let pageno = 1; pageno <= pages + 1; pageno++) {
      const res = await request(`${sim.url}/calls/logs?pageno=${pageno}&pagesize=${pageSize}`, {
        headers: { authorization: `Bearer ${sim.apiKey}` },
      });
      if (res.statusCode !== 200) throw new Error(`simulator answered ${res.statusCode} for page ${pageno}`);
      const body = Buffer.from(await res.body.arrayBuffer());
      bodies.push(body);
      bytes += body.length;
    }
  } finally {
    await sim.close();
  }
  const apiKey = sim.apiKey;
  const empty = Buffer.from(`{"call_log_data":[],"total_records":${options.records}}`);
  let latencyMs = options.latencyMs ?? 0;
  const stats = { listRequests: 0, inFlight: 0, maxInFlight: 0 };
  const sockets = new Set<Socket>();

  const respond = (res: ServerResponse, status: number, body: Buffer | string) => {
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.headers.authorization !== `Bearer ${apiKey}`)
      return respond(res, 401, '{"error":"Unauthorized"}');
    if (url.pathname !== LIST_PATH) return respond(res, 404, '{"error":"Not Found"}');
    const pageno = Number(url.searchParams.get('pageno') ?? '1');
    const size = Number(url.searchParams.get('pagesize') ?? '30');
    if (!Number.isInteger(pageno) || pageno < 1 || size !== pageSize) {
      return respond(res, 500, '{"error":"Internal Server Error","error_description":"not recorded"}');
    }
    stats.listRequests++;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    const send = () => {
      stats.inFlight--;
      if (!res.destroyed) respond(res, 200, bodies[pageno - 1] ?? empty);
    };
    if (latencyMs > 0) setTimeout(send, latencyMs);
    else send();
  };

  const server = createServer(handle);
  server.keepAliveTimeout = 60_000;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/v1`,
    apiKey,
    records: options.records,
    pages: Math.ceil(options.records / pageSize),
    bytes,
    stats,
    setLatency(ms: number) {
      latencyMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
