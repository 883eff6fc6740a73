/**
 * An S3-protocol server on 127.0.0.1 for the object-storage tests (issue 18): s3rver (offline,
 * pinned) behind a small proxy that answers as AWS S3 documents what s3rver does not implement:
 * conditional writes (`If-None-Match: *` → 412 PreconditionFailed when the key exists, `If-Match`
 * → 412 when the ETag differs, a second conditional write on a key while one is in flight → 409
 * ConditionalRequestConflict). The proxy also injects faults (503 SlowDown, reset connections)
 * and records multipart uploads started and never completed or aborted, as seen on the wire
 * (s3rver lacks AbortMultipartUpload: the proxy answers it with 204 as S3 does and records it).
 * Both servers listen on 127.0.0.1, port 0, and close with {@link S3TestServer.close}.
 */
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import S3rver from 's3rver';
import AWSAccount from 's3rver/lib/models/account.js';

/** The keys the tests sign with: recognisable, so a test can prove they never leak. */
export const TEST_ACCESS_KEY = 'AKIAOMNIDIMS3TEST';
export const TEST_SECRET = 'secret_key_S3TESTSECRETdoNotLeak0123456789';

/** A fault the proxy injects for one request (see {@link S3TestServer.fault}). */
export type S3Fault = 'slowdown' | 'reset' | 'conflict' | undefined;

/** A request as the fault hook sees it. */
export interface S3Request {
  method: string;
  /** The object key without the bucket, '' for bucket requests. */
  key: string;
  query: URLSearchParams;
}

export interface S3TestServer {
  /** The proxy (conditional writes as S3): what the tests give `--s3-endpoint`. */
  endpoint: string;
  /** s3rver itself (conditional-write headers ignored, as some servers do). */
  plainEndpoint: string;
  bucket: string;
  /** Set to inject faults; called for every request through the proxy. */
  fault: ((request: S3Request) => S3Fault) | undefined;
  /** Requests through the proxy so far, by `METHOD key`. */
  requests: string[];
  /** Multipart uploads initiated through the proxy and neither completed nor aborted. */
  unfinishedUploads(): string[];
  /**
   * Set to hold requests: the proxy awaits the returned promise before forwarding (e.g. to keep
   * a run inside its lock while another starts). Called for every request through the proxy.
   */
  hold: ((request: S3Request) => Promise<void> | undefined) | undefined;
  /**
   * Every object under `prefix` (keys relative to it), read from s3rver's own store on disk: an
   * independent view of the bucket (neither our store nor the SDK).
   */
  objects(prefix: string): Promise<Map<string, string>>;
  /** Copies every object under `prefix` into `dir` (key → `dir/key`); returns the keys, sorted. */
  download(prefix: string, dir: string): Promise<string[]>;
  /** Environment with the test keys (and nothing else from AWS). */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Starts s3rver with `bucket` and the proxy in front of it. */
export async function startS3Server(bucket = 'lake'): Promise<S3TestServer> {
  AWSAccount.DUMMY_ACCOUNT.createKeyPair(TEST_ACCESS_KEY, TEST_SECRET);
  const directory = await mkdtemp(join(tmpdir(), 's3rver-'));
  const s3rver = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  const { port: upstreamPort } = await s3rver.run();
  const inFlight = new Set<string>();
  const uploads = new Map<string, string>();
  const state: S3TestServer = {
    endpoint: '',
    plainEndpoint: `http://127.0.0.1:${upstreamPort}`,
    bucket,
    fault: undefined,
    hold: undefined,
    requests: [],
    objects: (prefix) => storedObjects(join(directory, bucket), prefix),
    download: async (prefix, dir) => {
      const objects = await storedObjects(join(directory, bucket), prefix);
      for (const [key, file] of objects) {
        await mkdir(dirname(join(dir, key)), { recursive: true });
        await copyFile(file, join(dir, key));
      }
      return [...objects.keys()].sort();
    },
    unfinishedUploads: () => [...uploads.values()],
    env: {
      AWS_ACCESS_KEY_ID: TEST_ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: TEST_SECRET,
      AWS_REGION: 'us-east-1',
    },
    close: async () => undefined,
  };
  const proxy = createServer((req, res) => {
    void handle(req, res).catch(() => res.destroy());
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const key = decodeURIComponent(url.pathname.split('/').slice(2).join('/'));
    const method = req.method ?? 'GET';
    state.requests.push(`${method} ${key}`);
    const fault = state.fault?.({ method, key, query: url.searchParams });
    if (fault === 'reset') {
      req.socket.destroy();
      return;
    }
    await state.hold?.({ method, key, query: url.searchParams });
    if (fault === 'slowdown') return s3Error(req, res, 503, 'SlowDown', 'Please reduce your request rate.');
    if (method === 'DELETE' && url.searchParams.has('uploadId')) {
      // s3rver has no AbortMultipartUpload (it answers 405); S3 answers 204 and drops the parts.
      uploads.delete(url.searchParams.get('uploadId') ?? '');
      req.resume();
      res.writeHead(204);
      res.end();
      return;
    }
    const conditional =
      method === 'PUT' &&
      (req.headers['if-none-match'] !== undefined || req.headers['if-match'] !== undefined);
    if (fault === 'conflict' || (conditional && inFlight.has(key))) {
      return s3Error(
        req,
        res,
        409,
        'ConditionalRequestConflict',
        'A conflicting conditional operation is currently in progress against this resource.',
      );
    }
    if (!conditional) return forward(req, res, url, key);
    inFlight.add(key);
    try {
      const current = await headEtag(upstreamPort, url.pathname);
      const noneMatch = req.headers['if-none-match'];
      const match = req.headers['if-match'];
      if ((noneMatch === '*' && current !== undefined) || (match !== undefined && match !== current)) {
        return s3Error(
          req,
          res,
          412,
          'PreconditionFailed',
          'At least one of the pre-conditions you specified did not hold',
        );
      }
      await forward(req, res, url, key);
    } finally {
      inFlight.delete(key);
    }
  }
  function forward(req: IncomingMessage, res: ServerResponse, url: URL, key: string): Promise<void> {
    return new Promise<void>((resolve) => {
      const upstream = request(
        { host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () => {
            const body = Buffer.concat(chunks);
            trackUpload(req.method ?? '', url, key, answer.statusCode ?? 0, body.toString('utf8'));
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(body);
            resolve();
          });
        },
      );
      upstream.on('error', () => {
        res.destroy();
        resolve();
      });
      req.pipe(upstream);
    });
  }
  function trackUpload(method: string, url: URL, key: string, status: number, body: string): void {
    if (status >= 300) return;
    const id = url.searchParams.get('uploadId');
    if (method === 'POST' && url.searchParams.has('uploads')) {
      const started = /<UploadId>([^<]+)<\/UploadId>/.exec(body)?.[1];
      if (started) uploads.set(started, key);
    } else if (
      (method === 'POST' || method === 'DELETE') &&
      id !== null &&
      !url.searchParams.has('partNumber')
    ) {
      uploads.delete(id);
    }
  }
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  state.endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  state.close = async () => {
    proxy.closeAllConnections();
    await new Promise<void>((resolve) => proxy.close(() => resolve()));
    await s3rver.close();
    await rm(directory, { recursive: true, force: true });
  };
  return state;
}

function headEtag(port: number, path: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const head = request({ host: '127.0.0.1', port, method: 'HEAD', path }, (answer) => {
      answer.resume();
      resolve(answer.statusCode === 200 ? String(answer.headers.etag) : undefined);
    });
    head.on('error', reject);
    head.end();
  });
}

function s3Error(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
): void {
  req.resume();
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>proxy</RequestId></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** s3rver keeps object `a/b` as `<bucket dir>/a/b._S3rver_object` (beside its metadata). */
const OBJECT_SUFFIX = '._S3rver_object';

async function storedObjects(bucketDir: string, prefix: string): Promise<Map<string, string>> {
  const base = prefix === '' ? bucketDir : join(bucketDir, ...prefix.split('/'));
  const entries = await readdir(base, { recursive: true, withFileTypes: true }).catch(() => []);
  const objects = new Map<string, string>();
  for (const e of entries) {
    if (!e.isFile() || !e.name.endsWith(OBJECT_SUFFIX)) continue;
    const path = join(e.parentPath, e.name);
    objects.set(relative(base, path).split(sep).join('/').slice(0, -OBJECT_SUFFIX.length), path);
  }
  return objects;
}
