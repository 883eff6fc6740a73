/**
 * A small hostile `GET /api/v1/calls/logs` on 127.0.0.1 (issue 11): the pages a real but odd or
 * broken API could serve, built from the simulator's own generated call logs. Kept apart from the
 * simulator, whose modes model the documented API; these model what the API might do instead.
 *
 * Modes (`mode`):
 * - `ids`: the calls newest first by time, with ids in the order `idOrder` says (`descending`
 *   as documented, `ascending`, `swaps`: neighbour pairs swapped, page boundaries included,
 *   `random`); `insertPerPage` new calls arrive at the head after each page served;
 * - `short`: the second half of page `page` (at `pageSize`) is cut from the first `times`
 *   responses whose window holds it, whatever their `pagesize` (a boundary probe too), and
 *   served afterwards (`times: Infinity`: never served);
 * - `same-page`: page 1 for every `pageno`, `total_records` 1e9;
 * - `endless-new`: `pagesize` calls never seen before on every page (ids going down, as older
 *   calls would), `total_records` 1e9;
 * - `huge`: a 200 body of `bytes` bytes, generated on the fly (never held in memory), with or
 *   without a Content-Length (`announce`);
 * - `empty-mid`: the calls of page `page` (at `pageSize`) are cut from every response, so that
 *   page comes back empty although `total_records` says more follow.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateCallLog, type SimCallLog } from '@omnidim-stream/simulator';
import { seededRandom } from './random.js';

export type IdOrder = 'descending' | 'ascending' | 'swaps' | 'random';

export type HostileMode =
  | { mode: 'ids'; idOrder: IdOrder; insertPerPage?: number }
  | { mode: 'short'; page: number; pageSize: number; times: number }
  | { mode: 'same-page' }
  | { mode: 'endless-new' }
  | { mode: 'huge'; bytes: number; announce: boolean }
  | { mode: 'empty-mid'; page: number; pageSize: number };

export interface HostileOptions {
  seed: number;
  /** Calls at the start. */
  records: number;
  apiKey: string;
  behaviour: HostileMode;
}

export interface HostileServer {
  /** Base URL to pass as `--base-url` (`http://127.0.0.1:<port>/api/v1`). */
  url: string;
  /** Ids of the calls that existed at the start, in list order. */
  readonly initialIds: number[];
  /** List requests answered (or started, for `huge`). */
  readonly requests: number;
  /** Bytes of `huge` bodies actually written to sockets before the client went away. */
  readonly hugeBytesSent: number;
  close(): Promise<void>;
}

/** Lying total of the endless modes. */
export const LYING_TOTAL = 1_000_000_000;

/**
 * Ids for a list of `n` calls in position order (0 = newest), all distinct, by `order`. The
 * documented order is descending; the others are what NOTES.md says nobody has ruled out.
 */
export function idsInOrder(n: number, order: IdOrder, seed: number, base = 1000): number[] {
  const descending = Array.from({ length: n }, (_, i) => base + n - i);
  if (order === 'descending') return descending;
  if (order === 'ascending') return descending.slice().reverse();
  if (order === 'swaps') {
    // Swap positions 2k+1 and 2k+2: odd page sizes put swapped pairs across page boundaries.
    const ids = descending.slice();
    for (let i = 1; i + 1 < n; i += 2) [ids[i], ids[i + 1]] = [ids[i + 1] as number, ids[i] as number];
    return ids;
  }
  const ids = descending.slice();
  const random = seededRandom(seed);
  for (let i = ids.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [ids[i], ids[j]] = [ids[j] as number, ids[i] as number];
  }
  return ids;
}

/** Starts the server on 127.0.0.1, port 0. */
export async function startHostileServer(options: HostileOptions): Promise<HostileServer> {
  const { seed, records, behaviour } = options;
  // Simulator calls, newest first; ids replaced by the mode's order (the call keeps its time).
  const order = behaviour.mode === 'ids' ? behaviour.idOrder : 'descending';
  const ids = idsInOrder(records, order, seed);
  const list: SimCallLog[] = ids.map((id, i) => withId(generateCallLog(seed, records - 1 - i), id));
  const initialIds = list.map((c) => c.id);
  let nextIndex = records;
  let nextId = 1000 + records + 1;
  // endless-new: ids below every id served so far, so each page looks like older calls.
  let lowId = 999;
  let requests = 0;
  let hugeBytesSent = 0;
  // Responses whose window held the cut rows of `short` / `empty-mid`.
  let cutServed = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.headers.authorization !== `Bearer ${options.apiKey}`)
      return send(res, 401, { error: 'Unauthorized' });
    if (url.pathname !== '/api/v1/calls/logs') return send(res, 404, { error: 'Not found' });
    requests += 1;
    const pageno = Number(url.searchParams.get('pageno') ?? '1');
    const pagesize = Number(url.searchParams.get('pagesize') ?? '30');
    const slice = (p: number) => list.slice((p - 1) * pagesize, p * pagesize);
    switch (behaviour.mode) {
      case 'ids': {
        send(res, 200, { call_log_data: slice(pageno), total_records: list.length });
        // Drift after the page was served: new calls at the head, fresh ids.
        for (let k = 0; k < (behaviour.insertPerPage ?? 0); k += 1) {
          list.unshift(withId(generateCallLog(seed, nextIndex), nextId));
          nextIndex += 1;
          nextId += 1;
        }
        return;
      }
      case 'short':
      case 'empty-mid': {
        const size = behaviour.pageSize;
        const from = (behaviour.page - 1) * size + (behaviour.mode === 'short' ? Math.ceil(size / 2) : 0);
        const to = behaviour.page * size;
        const start = (pageno - 1) * pagesize;
        const touches = start < to && start + pagesize > from;
        cutServed += touches ? 1 : 0;
        const times = behaviour.mode === 'short' ? behaviour.times : Number.POSITIVE_INFINITY;
        const rows = slice(pageno).filter(
          (_, i) => !(touches && cutServed <= times && start + i >= from && start + i < to),
        );
        return send(res, 200, { call_log_data: rows, total_records: list.length });
      }
      case 'same-page':
        return send(res, 200, { call_log_data: slice(1), total_records: LYING_TOTAL });
      case 'endless-new': {
        const rows: SimCallLog[] = [];
        for (let k = 0; k < pagesize; k += 1) {
          rows.push(withId(generateCallLog(seed, nextIndex % 100_000), lowId));
          nextIndex += 1;
          lowId -= 1;
        }
        return send(res, 200, { call_log_data: rows, total_records: LYING_TOTAL });
      }
      case 'huge':
        return sendHuge(res, behaviour.bytes, behaviour.announce, (n) => {
          hugeBytesSent += n;
        });
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/v1`,
    initialIds,
    get requests() {
      return requests;
    },
    get hugeBytesSent() {
      return hugeBytesSent;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function withId(call: SimCallLog, id: number): SimCallLog {
  return { ...call, id };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': text.length });
  res.end(text);
}

/**
 * A valid-looking JSON envelope `bytes` long, written in 64 KiB chunks as the socket drains: the
 * first bytes open the envelope, the rest is one long string. Stops when the client goes away.
 */
async function sendHuge(
  res: ServerResponse,
  bytes: number,
  announce: boolean,
  onSent: (n: number) => void,
): Promise<void> {
  const head = Buffer.from('{"total_records": 1, "call_log_data": [{"id": 1, "padding": "');
  const tail = Buffer.from('"}]}');
  const chunk = Buffer.alloc(64 * 1024, 'x');
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    ...(announce ? { 'content-length': bytes } : {}),
  });
  let left = bytes - head.length - tail.length;
  const write = async (buffer: Buffer): Promise<boolean> => {
    if (res.destroyed) return false;
    onSent(buffer.length);
    if (!res.write(buffer)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.on('drain', done);
        res.on('close', done);
      });
    }
    return !res.destroyed;
  };
  if (!(await write(head))) return;
  while (left > 0) {
    const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
    left -= piece.length;
    if (!(await write(piece))) return;
  }
  if (await write(tail)) res.end();
}
