/**
 * Issue 11 item 5: a response body is never read past `maxResponseBytes`. A real loopback server
 * streams a body generated on the fly; the test counts what it managed to write.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateHistory } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidOptionError, ResponseTooLargeError } from '../src/errors.js';
import { resolveOptions } from '../src/options.js';
import { paginateCallLogs } from '../src/paginate.js';
import { collectIds } from './helpers.js';

let server: Server | undefined;
afterEach(() => {
  server?.closeAllConnections();
  server?.close();
  server = undefined;
});

/** Serves `{"call_log_data":[...` followed by `bytes` of padding, 64 KiB at a time. */
async function startHuge(bytes: number, announce: boolean) {
  const stats = { requests: 0, sent: 0 };
  server = createServer(async (_req, res) => {
    stats.requests += 1;
    res.writeHead(200, {
      'content-type': 'application/json',
      ...(announce ? { 'content-length': bytes } : {}),
    });
    const chunk = Buffer.alloc(64 * 1024, ' ');
    res.write('{"total_records": 1, "call_log_data": [');
    for (let left = bytes; left > 0 && !res.destroyed; left -= chunk.length) {
      stats.sent += chunk.length;
      if (!res.write(chunk)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
    }
    if (!res.destroyed) res.end(']}');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`, stats };
}

describe('maxResponseBytes', () => {
  it.each([false, true])(
    'a body past the limit (Content-Length announced: %s) fails with RESPONSE_TOO_LARGE, not retried',
    async (announce) => {
      const { url, stats } = await startHuge(100 * 1024 * 1024, announce);
      const source = paginateCallLogs({ apiKey: 'k', baseUrl: url, maxResponseBytes: 256 * 1024 });
      const error = await collectIds(source).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ResponseTooLargeError);
      expect((error as ResponseTooLargeError).code).toBe('RESPONSE_TOO_LARGE');
      expect((error as Error).message).toMatch(/maxResponseBytes = 262144 bytes/);
      expect(stats.requests).toBe(1);
      // Stopped near the limit: loopback socket buffers aside, far from the 100 MiB on offer.
      expect(stats.sent).toBeLessThan(16 * 1024 * 1024);
    },
  );

  it('a full page of 150 simulator calls is far below the default', async () => {
    const body = JSON.stringify({ call_log_data: generateHistory(1, 150), total_records: 150 });
    const bytes = Buffer.byteLength(body);
    console.log(`[max-response] a page of 150 simulator calls is ${bytes} bytes`);
    expect(bytes).toBeLessThan(resolveOptions({ apiKey: 'k' }).maxResponseBytes / 8);
  });

  it('bad values fail before any request, naming the option', () => {
    expect(() => resolveOptions({ apiKey: 'k', maxResponseBytes: 10 })).toThrow(InvalidOptionError);
    expect(() => resolveOptions({ apiKey: 'k', maxResponseBytes: 10 })).toThrow(/maxResponseBytes/);
    expect(() => resolveOptions({ apiKey: 'k', maxStalePages: 0 })).toThrow(/maxStalePages/);
  });
});
