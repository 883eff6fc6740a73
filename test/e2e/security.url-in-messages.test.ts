/**
 * Issue 13.3: the key in a URL never prints. Every URL shown in a message, error or log goes
 * through core's `formatUrlForMessage()` (scheme, host, port and path), so a key passed as
 * `user:pass@`, `?api_key=…` or `#…` in `--base-url` / `OMNIDIM_BASE_URL` never reaches stdout,
 * stderr, the `--json` summary or a file, whether the run fails on usage (before any request),
 * on an HTTP status or on a refused connection.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatUrlForMessage, NetworkError, paginateCallLogs, TimeoutError } from '@omnidim-stream/core';
import { afterEach, describe, expect, it } from 'vitest';
import { listFiles } from './harness/dataset.js';
import { runCliInProcess } from './harness/run-cli.js';
import { describeRun, exportArgv, keyEnv, tempDir } from './harness/scenario.js';

/** What a user might paste into a URL; it must never be printed. */
const URL_SECRET = 'URLSECRET-4d9e2b';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A server on 127.0.0.1 that counts requests and answers every one with `status`. */
async function statusServer(status: number): Promise<{ port: number; requests: () => number }> {
  let requests = 0;
  const server: Server = createServer((_req, res) => {
    requests += 1;
    res.writeHead(status, { 'content-type': 'application/json' }).end('{"error":"boom"}');
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { port: (server.address() as AddressInfo).port, requests: () => requests };
}

/** A port on 127.0.0.1 where nothing listens (connections are refused). */
async function closedPort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The same base URL with the secret hidden in each place a URL can carry one. */
function secretVariants(origin: string): [string, string][] {
  return [
    ['userinfo', origin.replace('http://', `http://user:${URL_SECRET}@`)],
    ['query ?api_key=', `${origin}?api_key=${URL_SECRET}`],
    ['query ?token= (a name no list foresaw)', `${origin}?t0k=${URL_SECRET}`],
    ['fragment', `${origin}#${URL_SECRET}`],
    ['unparsable URL with a query', `http://[::1${origin.slice(7)}?api_key=${URL_SECRET}`],
    ['unparsable URL with userinfo', `http://user:${URL_SECRET}@[bad/api/v1`],
  ];
}

describe('formatUrlForMessage', () => {
  it.each([
    ['http://u:p@127.0.0.1:8080/api/v1?api_key=k#f', 'http://127.0.0.1:8080/api/v1'],
    [
      'https://backend.omnidim.io/api/v1/calls/logs?pageno=2&pagesize=150',
      'https://backend.omnidim.io/api/v1/calls/logs',
    ],
    ['https://backend.omnidim.io:443/api/v1', 'https://backend.omnidim.io/api/v1'],
    ['http://[::1]:9/x#frag', 'http://[::1]:9/x'],
    ['http://user:pa/ss@[bad/api?api_key=k', 'http://[bad/api'],
    ['not a url?key=k', 'not a url'],
  ])('%s → %s (scheme, host, port, path only)', (input, shown) => {
    expect(formatUrlForMessage(input)).toBe(shown);
  });

  it('request errors keep only the formatted URL, in the field and the message', () => {
    const url = `http://user:${URL_SECRET}@127.0.0.1:1/api/v1/calls/logs?api_key=${URL_SECRET}#${URL_SECRET}`;
    for (const error of [new NetworkError('ECONNREFUSED', { url, page: 1 }), new TimeoutError(5, { url })]) {
      expect(error.url).toBe('http://127.0.0.1:1/api/v1/calls/logs');
      expect(JSON.stringify({ ...error, message: error.message })).not.toContain(URL_SECRET);
    }
  });
});

describe('the key in a URL never prints (CLI)', () => {
  it.each(['--base-url', 'OMNIDIM_BASE_URL'])(
    'a secret in the %s URL (userinfo, query, fragment, unparsable): exit 2, no request, secret nowhere',
    async (via) => {
      const server = await statusServer(200);
      for (const [where, baseUrl] of secretVariants(`http://127.0.0.1:${server.port}/api/v1`)) {
        const dir = await tempDir('url-secret');
        cleanups.push(dir.remove);
        const out = `${dir.path}/lake`;
        const argv = exportArgv({ out, format: 'ndjson', baseUrl, pageSize: 10 });
        const env = keyEnv();
        if (via === 'OMNIDIM_BASE_URL') {
          argv.splice(argv.indexOf('--base-url'), 2);
          env['OMNIDIM_BASE_URL'] = baseUrl;
        }
        const run = await runCliInProcess(argv, env);
        expect(run.code, `${where}: ${describeRun(run)}`).toBe(2);
        expect(run.stderr, where).toContain(via);
        expect(`${run.stdout}\n${run.stderr}`, where).not.toContain(URL_SECRET);
        expect(await listFiles(dir.path), where).toEqual([]);
      }
      expect(server.requests()).toBe(0);
    },
  );

  it('an HTTP error names the page and a formatted URL, never the query', async () => {
    const server = await statusServer(500);
    const baseUrl = `http://127.0.0.1:${server.port}/api/v1`;
    const dir = await tempDir('url-http');
    cleanups.push(dir.remove);
    const run = await runCliInProcess(
      exportArgv({
        out: `${dir.path}/lake`,
        format: 'ndjson',
        baseUrl,
        pageSize: 10,
        extra: ['--retries', '0'],
      }),
      keyEnv(),
    );
    expect(run.code, describeRun(run)).toBe(4);
    expect(server.requests()).toBeGreaterThan(0);
    // The library error behind that message carries the formatted URL (no pageno/pagesize query).
    const error = await firstError(baseUrl);
    expect(error).toMatchObject({ code: 'RETRY_EXHAUSTED', url: `${baseUrl}/calls/logs`, status: 500 });
  });

  it('a refused connection: exit 4, the message and the error hold no query or key', async () => {
    const baseUrl = `http://127.0.0.1:${await closedPort()}/api/v1`;
    const dir = await tempDir('url-refused');
    cleanups.push(dir.remove);
    const run = await runCliInProcess(
      exportArgv({
        out: `${dir.path}/lake`,
        format: 'ndjson',
        baseUrl,
        pageSize: 10,
        extra: ['--retries', '0'],
      }),
      keyEnv(URL_SECRET),
    );
    expect(run.code, describeRun(run)).toBe(4);
    expect(`${run.stdout}\n${run.stderr}`).not.toContain(URL_SECRET);
    const error = (await firstError(baseUrl)) as { url?: unknown; cause?: { url?: unknown } };
    const url = error.url ?? error.cause?.url;
    expect(url).toBe(`${baseUrl}/calls/logs`);
  });
});

/** The error the library throws for this base URL, with no retries. */
async function firstError(baseUrl: string): Promise<unknown> {
  try {
    for await (const _ of paginateCallLogs({ apiKey: URL_SECRET, baseUrl, retry: { limit: 0 } })) {
      // no call is expected
    }
  } catch (error) {
    return error;
  }
  throw new Error('expected the export to fail');
}
