/**
 * Security checks (issue 7): a plain `http://` base URL that is not loopback is refused before
 * any request (exit 2), and TLS certificate errors are not ignored (an https server on 127.0.0.1
 * with a self-signed certificate: the export fails naming the certificate, never succeeds).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { generateCallLog } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { listFiles } from './harness/dataset.js';
import { runCliInProcess } from './harness/run-cli.js';
import { describeRun, exportArgv, keyEnv, tempDir } from './harness/scenario.js';
import { LEAK_KEY } from './harness/settings.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A self-signed certificate for 127.0.0.1: made with openssl when present, else the fixture. */
async function selfSignedCert(dir: string): Promise<{ key: string; cert: string }> {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1'].concat([
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ]),
      { stdio: 'ignore' },
    );
  } catch {
    const fixtures = new URL('./fixtures/', import.meta.url);
    return {
      key: await readFile(new URL('self-signed.key.pem', fixtures), 'utf8'),
      cert: await readFile(new URL('self-signed.cert.pem', fixtures), 'utf8'),
    };
  }
  return { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8') };
}

describe('security: transport', () => {
  it.each([
    ['--base-url', 'http://example.invalid/api/v1'],
    ['--base-url', 'http://10.255.255.1/api/v1'],
    ['OMNIDIM_BASE_URL', 'http://backend.omnidim.io/api/v1'],
  ])('a plain http %s that is not loopback (%s) is refused: exit 2, nothing written', async (via, url) => {
    const dir = await tempDir('http');
    cleanups.push(dir.remove);
    const out = `${dir.path}/lake`;
    const argv = exportArgv({ out, format: 'ndjson', baseUrl: url, pageSize: 10 });
    const env = keyEnv();
    if (via === 'OMNIDIM_BASE_URL') {
      argv.splice(argv.indexOf('--base-url'), 2);
      env['OMNIDIM_BASE_URL'] = url;
    }
    const run = await runCliInProcess(argv, env);
    // Exit 2 means "nothing was requested or written" (exit-codes.ts); a request to
    // example.invalid would have failed with 4, one to 10.255.255.1 would hang until a timeout.
    expect(run.code, describeRun(run)).toBe(2);
    expect(run.stderr, describeRun(run)).toMatch(/https/);
    expect(run.stderr).toContain(via);
    expect(`${run.stdout}${run.stderr}`).not.toContain(LEAK_KEY);
    expect(existsSync(out), describeRun(run)).toBe(false);
  });

  it('a self-signed certificate on https://127.0.0.1 fails the export with a TLS error, no request served', async () => {
    const dir = await tempDir('tls');
    cleanups.push(dir.remove);
    const { key, cert } = await selfSignedCert(dir.path);
    let served = 0;
    let handshakeErrors = 0;
    // Serves a valid page: if certificate errors were ignored, the export would succeed.
    const body = JSON.stringify({
      call_log_data: [generateCallLog(1, 1), generateCallLog(1, 0)],
      total_records: 2,
    });
    const server: Server = createServer({ key, cert }, (_req, res) => {
      served++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    server.on('tlsClientError', () => handshakeErrors++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const { port } = server.address() as AddressInfo;
    const out = `${dir.path}/lake`;

    const run = await runCliInProcess(
      exportArgv({ out, format: 'parquet', baseUrl: `https://127.0.0.1:${port}/api/v1`, pageSize: 10 }),
      keyEnv(),
    );

    const hint = `${describeRun(run)} handshakeErrors=${handshakeErrors}`;
    expect(run.code, hint).toBe(4);
    expect(run.stderr, hint).toMatch(/certificate|TLS|self[- ]signed/i);
    expect(served, hint).toBe(0);
    expect(handshakeErrors, hint).toBeGreaterThan(0);
    expect(`${run.stdout}${run.stderr}`).not.toContain(LEAK_KEY);
    expect(
      (await listFiles(out)).filter((f) => !f.startsWith('_')),
      hint,
    ).toEqual([]);
  });
});
