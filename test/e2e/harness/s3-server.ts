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
  /** s3rver's store on disk (for diagnostics). */
  directory: string;
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
    directory,
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
    if (method === 'GET' && key === '' && url.searchParams.get('list-type') === '2') {
      return listPage(req, res, url);
    }
    if (method === 'GET' && key === '' && url.searchParams.has('uploads')) {
      // s3rver has no ListMultipartUploads: answered from the uploads seen on the wire, as S3 does.
      const prefix = url.searchParams.get('prefix') ?? '';
      const listed = [...uploads]
        .filter(([, k]) => k.startsWith(prefix))
        .map(([id, k]) => `<Upload><Key>${k}</Key><UploadId>${id}</UploadId></Upload>`);
      const body = `<?xml version="1.0" encoding="UTF-8"?>\n<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>${bucket}</Bucket><Prefix>${prefix}</Prefix><IsTruncated>false</IsTruncated>${listed.join('')}</ListMultipartUploadsResult>`;
      req.resume();
      res.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
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
  async function forward(req: IncomingMessage, res: ServerResponse, url: URL, key: string): Promise<void> {
    // The whole request body first: a PUT to S3 is all or nothing, while s3rver writes the object
    // as it arrives and keeps a torn one (without metadata) when the client dies mid-request.
    const chunks: Buffer[] = [];
    const complete = await new Promise<boolean>((resolve) => {
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => resolve(true));
      req.on('close', () => resolve(req.complete));
      req.on('error', () => resolve(false));
    });
    if (!complete) {
      res.destroy();
      return;
    }
    const body = Buffer.concat(chunks);
    await new Promise<void>((resolve) => {
      const upstream = request(
        { host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          const answerChunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => answerChunks.push(chunk));
          answer.on('end', () => {
            const text = Buffer.concat(answerChunks);
            trackUpload(req.method ?? '', url, key, answer.statusCode ?? 0, text.toString('utf8'));
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(text);
            resolve();
          });
        },
      );
      upstream.on('error', () => {
        res.destroy();
        resolve();
      });
      upstream.end(body);
    });
  }
  /**
   * ListObjectsV2, paged as S3 pages it (1,000 keys, a continuation token). s3rver's own tokens
   * use DES, which Node 18+ (OpenSSL 3) no longer has: any truncated listing answers 500. So the
   * proxy asks s3rver for everything and pages the answer itself.
   */
  async function listPage(_req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const token = url.searchParams.get('continuation-token');
    const after = token === null ? '' : Buffer.from(token, 'base64url').toString('utf8');
    const prefix = url.searchParams.get('prefix') ?? '';
    // Everything under the prefix, through s3rver's version-1 listing (its markers need no DES).
    const contents: string[] = [];
    let marker = after;
    for (let page = 0; page < 10_000; page++) {
      const query = new URLSearchParams({ prefix, ...(marker ? { marker } : {}) });
      const answer = await get(upstreamPort, `/${bucket}?${query}`);
      if (answer.status !== 200) {
        res.writeHead(answer.status, { 'content-type': 'application/xml' });
        res.end(answer.body);
        return;
      }
      const found = [...answer.body.matchAll(/<Contents>[\s\S]*?<\/Contents>/g)].map((m) => m[0]);
      contents.push(...found);
      if (!answer.body.includes('<IsTruncated>true</IsTruncated>') || found.length === 0) break;
      marker = keyOf(found.at(-1) ?? '');
    }
    const limit = Math.min(1000, Number(url.searchParams.get('max-keys') ?? '1000'));
    const page = contents.slice(0, limit);
    const truncated = contents.length > page.length;
    const next = truncated ? Buffer.from(keyOf(page.at(-1) ?? '')).toString('base64url') : undefined;
    const body = `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><Prefix>${prefix}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${limit}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${next ? `<NextContinuationToken>${next}</NextContinuationToken>` : ''}${page.join('')}</ListBucketResult>`;
    res.writeHead(200, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
    res.end(body);
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

function keyOf(contents: string): string {
  return /<Key>([\s\S]*?)<\/Key>/.exec(contents)?.[1] ?? '';
}

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const upstream = request({ host: '127.0.0.1', port, method: 'GET', path }, (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () =>
        resolve({ status: r.statusCode ?? 502, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    upstream.on('error', reject);
    upstream.end();
  });
}
