/**
 * The source's HTTP layer: undici `request()` over a keep-alive Pool owned by the source (closed
 * when the export ends or is destroyed), one whole-request timeout per attempt, and the caller's
 * AbortSignal threaded into every request. The API key travels only in the Authorization header;
 * URLs in errors are built without it and shown through `formatUrlForMessage()` anyway. Bodies
 * are read with a size cap (`maxResponseBytes`, issue 11): one response can never exhaust memory.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { decodeUtf8 } from './decode-utf8.js';
import {
  AbortError,
  NetworkError,
  type RequestContext,
  ResponseTooLargeError,
  TimeoutError,
  TlsError,
} from './errors.js';
import { Pool } from './undici-pool.js';
import { formatUrlForMessage } from './url-for-message.js';

/** A response read whole, at most `maxResponseBytes` long (see {@link readBodyCapped}). */
export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body's UTF-8 text, decoded on first read (a shallow page is never decoded whole). */
  readonly body: string;
  /** The body's bytes as received (`body` is their UTF-8 text). */
  bytes: Uint8Array;
}

/**
 * A response whose text is decoded when first read, once: with `shallowRecords` a good page is
 * validated from its bytes and never decoded whole on this thread (issue 21); error paths and
 * every other reader still see the same text.
 */
function lazyResponse(status: number, headers: IncomingHttpHeaders, bytes: Buffer): HttpResponse {
  let text: string | undefined;
  return {
    status,
    headers,
    bytes,
    get body() {
      text ??= decodeUtf8(bytes);
      return text;
    },
  };
}

export interface HttpClientOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  /** Largest body read; a longer one (or a larger Content-Length) is a ResponseTooLargeError. */
  maxResponseBytes: number;
  /** Sizes the owned pool: one connection per page in flight, plus one for refetches. */
  concurrency: number;
  /** A caller-owned dispatcher; when given, no pool is created and `close()` leaves it open. */
  dispatcher?: Dispatcher | undefined;
}

export interface HttpClient {
  /** GET `path` (relative to the base URL) with `query`; rejects with coded errors only. */
  get(
    path: string,
    query: Record<string, string | number>,
    signal: AbortSignal,
    context: RequestContext,
  ): Promise<HttpResponse>;
  /** The request URL as it may be logged. */
  describeUrl(path: string, query: Record<string, string | number>): string;
  /** Closes the owned pool, destroying keep-alive sockets. Idempotent. */
  close(): Promise<void>;
}

/**
 * Creates the client. Errors: {@link TimeoutError}, {@link NetworkError} (resets, cut bodies),
 * {@link AbortError} when `signal` aborts; HTTP statuses are returned, not thrown.
 *
 * @example
 * const client = createHttpClient({ baseUrl: 'http://127.0.0.1:8080/api/v1', apiKey: 'k', timeoutMs: 60_000, maxResponseBytes: 16 * 1024 * 1024, concurrency: 4 });
 * const res = await client.get('/calls/logs', { pageno: 1 }, AbortSignal.timeout(5000), { page: 1 });
 * await client.close();
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  const base = new URL(options.baseUrl);
  const origin = base.origin;
  const basePath = base.pathname.replace(/\/+$/, '');
  const owned = options.dispatcher === undefined;
  const dispatcher: Dispatcher =
    options.dispatcher ??
    new Pool(origin, { connections: options.concurrency + 1, keepAliveTimeout: 10_000, pipelining: 1 });
  const authorization = `Bearer ${options.apiKey}`;
  let closed: Promise<void> | undefined;

  const buildPath = (path: string, query: Record<string, string | number>): string => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) params.set(k, String(v));
    const qs = params.toString();
    return `${basePath}${path}${qs ? `?${qs}` : ''}`;
  };

  return {
    describeUrl: (path, query) => formatUrlForMessage(`${origin}${buildPath(path, query)}`),

    async get(path, query, signal, context) {
      if (signal.aborted) throw new AbortError(signal.reason);
      const ctx: RequestContext = { ...context, url: `${origin}${buildPath(path, query)}` };
      // One controller per attempt joins the caller's signal and the timeout, so a timeout is
      // distinguishable from an abort (one is retried, the other is not).
      const attempt = new AbortController();
      let timedOut = false;
      const onAbort = () => attempt.abort(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(() => {
        timedOut = true;
        attempt.abort(new Error('timeout'));
      }, options.timeoutMs);
      try {
        const res = await dispatcher.request({
          origin,
          path: buildPath(path, query),
          method: 'GET',
          headers: { authorization, accept: 'application/json' },
          signal: attempt.signal,
          headersTimeout: options.timeoutMs,
          bodyTimeout: options.timeoutMs,
        });
        const bytes = await readBodyCapped(res, options.maxResponseBytes, attempt, {
          ...ctx,
          status: res.statusCode,
        });
        return lazyResponse(res.statusCode, res.headers, bytes);
      } catch (error) {
        if (signal.aborted) throw new AbortError(signal.reason);
        if (error instanceof ResponseTooLargeError) throw error;
        if (timedOut) throw new TimeoutError(options.timeoutMs, ctx, { cause: error });
        const code = (error as { code?: unknown }).code;
        const detail = typeof code === 'string' ? code : error instanceof Error ? error.name : 'unknown';
        if (typeof code === 'string' && isCertificateError(code))
          throw new TlsError(code, ctx, { cause: error });
        throw new NetworkError(detail, ctx, { cause: error });
      } finally {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      }
    },

    close() {
      if (!owned) return Promise.resolve();
      // destroy(): in-flight requests were already aborted by the caller; keep-alive sockets go now.
      closed ??= dispatcher.destroy().catch(() => undefined);
      return closed;
    },
  };
}

/**
 * Reads a body whole (the caller decodes it once: a multi-byte character split across chunks is
 * joined before decoding, exactly `toString('utf8')` by a faster route: {@link decodeUtf8}),
 * never holding more than `limit` bytes of it: a Content-Length above the limit fails before
 * reading anything, and a body without one (chunked, lying) fails as soon as the bytes received
 * pass the limit. Either way the request is aborted, which destroys its socket, so the rest of
 * the body is never downloaded (issue 11: a 200 MB page took 744 MB RSS).
 */
async function readBodyCapped(
  res: Dispatcher.ResponseData,
  limit: number,
  attempt: AbortController,
  ctx: RequestContext,
): Promise<Buffer> {
  const fail = (seen: string): never => {
    const error = new ResponseTooLargeError(limit, seen, ctx);
    attempt.abort(error);
    res.body.destroy();
    throw error;
  };
  const announced = Number(res.headers['content-length']);
  if (Number.isFinite(announced) && announced > limit) fail(`Content-Length announced ${announced}`);
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of res.body) {
    const buffer = chunk as Buffer;
    received += buffer.length;
    if (received > limit) fail(`more than ${limit} bytes received, reading stopped`);
    chunks.push(buffer);
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, received);
}

/**
 * OpenSSL's verification failures as Node reports them (`err.code`): a bad certificate is a
 * permanent failure, unlike a reset, so it must not be retried as a network error.
 */
function isCertificateError(code: string): boolean {
  return (
    code === 'ERR_TLS_CERT_ALTNAME_INVALID' ||
    code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
    code === 'SELF_SIGNED_CERT_IN_CHAIN' ||
    code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ||
    code === 'UNABLE_TO_GET_ISSUER_CERT' ||
    code === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' ||
    code.startsWith('CERT_')
  );
}
