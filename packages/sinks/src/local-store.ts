/**
 * The directory implementation of {@link ObjectStore} (issue 18: "a storage layer with two
 * implementations"): a dataset kept under a local directory through the object-store protocol
 * (conditional writes, manifest PUT as the commit), for library users and tests. The CLI never
 * uses it: a local `--out DIR` keeps the rename-based commit (dataset-commit.ts), which is stronger.
 *
 * Keys are confined under the root by dataset-layout.ts's {@link confined} (plain relative paths,
 * no symbolic link followed). Every write goes to a temp sibling, is fsynced, then renamed
 * (atomic-file.ts) or linked (`ifNoneMatch`) into place, so a reader never sees half an object. ETags are the
 * quoted md5 of the content, computed the same way for put and get. Conditional writes take a
 * per-key `wx` lock file, which keeps processes on one host (and one local file system) apart;
 * NFS without reliable `O_EXCL` is not supported. A lock file older than `staleLockMs` was left
 * by a killed process and is removed; two writers removing the same stale one at once could both
 * proceed (a crash and a collision together). A lock file held past `lockAttempts` answers
 * `conflict`, as S3's 409 does. No multipart: `upload` copies the file.
 */
import { createHash, type Hash, randomBytes } from 'node:crypto';
import { constants, createReadStream, createWriteStream } from 'node:fs';
import { type FileHandle, link, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AtomicFileStream } from './atomic-file.js';
import {
  confined,
  datasetPath,
  errnoOf,
  FILE_MODE,
  isTempName,
  makeDir,
  tempPath,
} from './dataset-layout.js';
import { SinkError } from './errors.js';
import type { ObjectHead, ObjectStore, PutCondition, PutResult, StoredObject } from './object-store.js';

/** How long a conditional write waits for another one on the same key before answering `conflict`. */
export interface DirectoryStoreOptions {
  /** Attempts to take a key's lock file (default 50), `retryDelayMs` apart (default 10 ms). */
  lockAttempts?: number;
  retryDelayMs?: number;
  /** A lock file older than this was left by a killed process and is removed (default 30 s). */
  staleLockMs?: number;
}

const DEFAULTS: Required<DirectoryStoreOptions> = { lockAttempts: 50, retryDelayMs: 10, staleLockMs: 30_000 };

/** The quoted md5 of `body`, as S3 answers for a single-part object. */
function etagOf(body: Buffer): string {
  return quoted(createHash('md5').update(body));
}

/** The ETag of the bytes an md5 `hash` was fed (computed the same way for put, get and head). */
function quoted(hash: Hash): string {
  return `"${hash.digest('hex')}"`;
}

const absent = (error: unknown) =>
  ['ENOENT', 'ENOTDIR'].includes((error as NodeJS.ErrnoException).code ?? '');

/**
 * {@link ObjectStore} over the directory `root` (created on the first write).
 *
 * @example
 * const storage = new DirectoryObjectStore('/data/lake');
 * await exportCallLogs({ apiKey, outDir: '/data/lake', storage });
 */
export class DirectoryObjectStore implements ObjectStore {
  readonly location: string;
  readonly #root: string;
  readonly #o: Required<DirectoryStoreOptions>;

  constructor(root: string, options: DirectoryStoreOptions = {}) {
    this.#root = root;
    this.location = this.#root;
    this.#o = { ...DEFAULTS, ...options };
  }

  #path(key: string): Promise<string> {
    return confined(this.#root, key, 'the object key');
  }
  #fail(what: string, key: string, error: unknown): SinkError {
    if (error instanceof SinkError) return error;
    return new SinkError(`Cannot ${what} ${this.location}/${key} (${errnoOf(error)})`, { cause: error });
  }

  /**
   * Runs `use` on the object at `key` opened without following a link (`O_NOFOLLOW`: a link
   * planted after confined() looked is still refused); undefined when absent and `missingOk`.
   */
  async #reading<T>(key: string, missingOk: boolean, use: (handle: FileHandle) => Promise<T>) {
    const path = await this.#path(key);
    try {
      const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
      try {
        return await use(handle);
      } finally {
        await handle.close();
      }
    } catch (error) {
      if (missingOk && absent(error)) return undefined;
      throw this.#fail('read', key, error);
    }
  }

  get(key: string): Promise<StoredObject | undefined> {
    return this.#reading(key, true, async (handle) => {
      const [body, info] = await Promise.all([handle.readFile(), handle.stat()]);
      return { body, etag: etagOf(body), lastModified: info.mtime };
    });
  }

  /** Hashes the object to answer (a directory has no stored ETag): a HEAD that reads the file. */
  head(key: string): Promise<ObjectHead | undefined> {
    return this.#reading(key, true, async (handle) => {
      const { size } = await handle.stat();
      const md5 = createHash('md5');
      await pipeline(handle.createReadStream({ autoClose: false, start: 0 }), md5);
      return { size, etag: quoted(md5) };
    });
  }

  async put(key: string, body: string | Buffer, condition?: PutCondition): Promise<PutResult> {
    const path = await this.#path(key);
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
    try {
      await makeDir(dirname(path));
      if (!condition) {
        await pipeline(Readable.from([bytes]), new AtomicFileStream(path));
        return { ok: true, etag: etagOf(bytes) };
      }
      const temp = await this.#writeTemp(path, (file) => writeSynced(file, bytes));
      return await this.#conditional(path, temp, bytes, condition);
    } catch (error) {
      throw this.#fail('write', key, error);
    }
  }

  /** Moves `temp` to `path` if `condition` holds, under the key's lock; `temp` is gone after. */
  async #conditional(path: string, temp: string, bytes: Buffer, condition: PutCondition): Promise<PutResult> {
    // A temp name (`.<name>.lock.tmp`): never listed as an object.
    const lock = tempPath(dirname(path), basename(path), 'lock');
    try {
      if (!(await this.#lock(lock))) return { ok: false, reason: 'conflict' };
      try {
        if ('ifNoneMatch' in condition) {
          // link() fails with EEXIST when the key exists: two creators cannot both win.
          const created = await link(temp, path).then(
            () => true,
            (error: NodeJS.ErrnoException) => {
              if (error.code === 'EEXIST') return false;
              throw error;
            },
          );
          return created ? { ok: true, etag: etagOf(bytes) } : { ok: false, reason: 'precondition' };
        }
        const current = await readFile(path).catch((error) =>
          absent(error) ? undefined : Promise.reject(error),
        );
        if (current === undefined || etagOf(current) !== condition.ifMatch) {
          return { ok: false, reason: 'precondition' };
        }
        await rename(temp, path);
        return { ok: true, etag: etagOf(bytes) };
      } finally {
        await unlink(lock).catch(() => undefined);
      }
    } finally {
      await unlink(temp).catch(() => undefined);
    }
  }

  /** Takes the lock file `lock` (`wx`); false when another writer keeps it past the attempts. */
  async #lock(lock: string): Promise<boolean> {
    for (let attempt = 0; attempt < this.#o.lockAttempts; attempt++) {
      try {
        await (await open(lock, 'wx', FILE_MODE)).close();
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const since = await stat(lock).then(
        (s) => s.mtimeMs,
        () => undefined,
      );
      if (since !== undefined && Date.now() - since > this.#o.staleLockMs)
        await unlink(lock).catch(() => undefined);
      else await new Promise((done) => setTimeout(done, this.#o.retryDelayMs));
    }
    return false;
  }

  /** A fresh temp sibling of `path` filled by `fill`; removed if `fill` fails. */
  async #writeTemp(path: string, fill: (file: string) => Promise<void>): Promise<string> {
    const temp = tempPath(dirname(path), basename(path), randomBytes(6).toString('hex'));
    try {
      await fill(temp);
      return temp;
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
  }

  async upload(key: string, file: string): Promise<void> {
    const path = await this.#path(key);
    try {
      await makeDir(dirname(path));
      // Streamed (bounded memory), into a temp sibling fsynced and renamed by AtomicFileStream.
      await pipeline(createReadStream(file), new AtomicFileStream(path));
    } catch (error) {
      throw this.#fail('upload', key, error);
    }
  }

  async readRange(key: string, start: number, end: number): Promise<Buffer> {
    const read = await this.#reading(key, false, async (handle) => {
      const buffer = Buffer.alloc(Math.max(0, end - start));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
      return buffer.subarray(0, bytesRead);
    });
    return read ?? Buffer.alloc(0);
  }

  async openRead(key: string): Promise<Readable> {
    const path = await this.#path(key);
    try {
      const handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
      return handle.createReadStream({ autoClose: true });
    } catch (error) {
      throw this.#fail('read', key, error);
    }
  }

  async download(key: string, file: string): Promise<void> {
    const body = await this.openRead(key);
    try {
      await pipeline(body, createWriteStream(file, { mode: FILE_MODE }));
    } catch (error) {
      throw this.#fail('download', key, error);
    }
  }

  async list(prefix = ''): Promise<string[]> {
    const keys: string[] = [];
    // Links are neither listed nor entered; temp and lock files (temp names) are not objects.
    const walk = async (dir: string, rel: string): Promise<void> => {
      const entries = await readdir(dir, { withFileTypes: true }).catch((error) =>
        absent(error) ? [] : Promise.reject(error),
      );
      for (const entry of entries) {
        const key = rel === '' ? entry.name : `${rel}/${entry.name}`;
        if (entry.isDirectory()) await walk(datasetPath(this.#root, key), key);
        else if (entry.isFile() && !isTempName(entry.name)) {
          if (key.startsWith(prefix)) keys.push(key);
        }
      }
    };
    try {
      await walk(this.#root, '');
    } catch (error) {
      throw this.#fail('list', prefix, error);
    }
    return keys.sort();
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      const path = await this.#path(key);
      await unlink(path).catch((error) => {
        if (!absent(error)) throw this.#fail('delete', key, error);
      });
    }
  }

  /** None: a directory store has no multipart uploads (`upload` is one copy and a rename). */
  async listUnfinishedUploads(): Promise<{ key: string; uploadId: string }[]> {
    return [];
  }

  /** Nothing to abort (see {@link listUnfinishedUploads}). */
  async abortUpload(): Promise<void> {}

  /** Nothing to release: no connection is held. */
  close(): void {}
}

/** Opens the dataset under the directory `root` as an {@link ObjectStore}. */
export function openDirectoryStore(root: string, options?: DirectoryStoreOptions): ObjectStore {
  return new DirectoryObjectStore(root, options);
}

/** Writes `bytes` to the new file `file` (never an existing one) and fsyncs it before any link. */
async function writeSynced(file: string, bytes: Buffer): Promise<void> {
  const handle = await open(file, 'wx', FILE_MODE);
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
