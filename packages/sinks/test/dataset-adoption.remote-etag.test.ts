/**
 * The remote branch of crash-resume adoption (`adoptCheckpoint`): a checkpointed part file that is
 * not in the staging dir lives in object storage and is checked by one HEAD, its size and ETag
 * against the checkpoint's. The "bucket" is a DirectoryObjectStore, whose ETags are the md5 of the
 * bytes (computed by the test with node:crypto, not taken from the code under test).
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { adoptCheckpoint } from '../src/dataset-adoption.js';
import {
  DATASET_CHECKPOINT_VERSION,
  type DatasetCheckpoint,
  type StagedFileInfo,
} from '../src/dataset-checkpoint.js';
import { committedRelOfStaged } from '../src/dataset-layout.js';
import { DirectoryObjectStore } from '../src/local-store.js';
import { sameEtag } from '../src/object-store.js';
import { tempDir } from './helpers.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const KEY = 'calls/date=2026-01-01/part-crashed-00000.ndjson';
const BODY = '{"id":1001}\n{"id":1002}\n';
const md5 = (text: string) => `"${createHash('md5').update(text).digest('hex')}"`;

/** A staging root holding run `crashed` with only its checkpoint, and a bucket holding `body` at KEY. */
async function crashedRun(body: string, etag: string | undefined) {
  const root = await tempDir('adopt-etag');
  cleanups.push(root.remove);
  const stagingRoot = join(root.path, '_staging');
  await mkdir(join(stagingRoot, 'crashed'), { recursive: true });
  const bucket = new DirectoryObjectStore(join(root.path, 'bucket'));
  await bucket.put(KEY, body);
  const file: StagedFileInfo = {
    table: 'calls',
    partition: 'date=2026-01-01',
    date: '2026-01-01',
    name: 'part-crashed-00000.ndjson',
    rows: 2,
    bytes: Buffer.byteLength(BODY),
    sha256: createHash('sha256').update(BODY).digest('hex'),
    ...(etag === undefined ? {} : { etag }),
  };
  const checkpoint: DatasetCheckpoint = {
    version: DATASET_CHECKPOINT_VERSION,
    runId: 'crashed',
    writtenAt: '2026-01-01T00:00:00.000Z',
    calls: 2,
    rows: { calls: 2 },
    seq: 1,
    files: [file],
    growing: [],
    sidecars: [],
    state: null,
  };
  await writeFile(join(stagingRoot, 'crashed', '_checkpoint.json'), JSON.stringify(checkpoint));
  const heads: string[] = [];
  const adopt = () =>
    adoptCheckpoint(stagingRoot, 'crashed', 'resumed', checkpoint, async (stagedRel) => {
      const key = committedRelOfStaged(stagedRel);
      heads.push(String(key));
      return key === undefined ? undefined : bucket.head(key);
    });
  return { stagingRoot, adopt, heads };
}

describe('adoptCheckpoint: part files in object storage are checked by HEAD (size and ETag)', () => {
  it('the object as uploaded (same size, same ETag): adopted, one HEAD of its final key', async () => {
    const run = await crashedRun(BODY, md5(BODY));
    expect(await run.adopt()).toBeUndefined();
    expect(run.heads).toEqual([KEY]);
    expect(await readdir(run.stagingRoot)).toEqual(['resumed']);
  });

  it('the same ETag quoted otherwise by the server (no quotes, weak mark): adopted', async () => {
    const run = await crashedRun(BODY, `W/${md5(BODY).slice(1, -1)}`);
    expect(await run.adopt()).toBeUndefined();
  });

  it('replaced by other bytes of the same size: not adopted, the reason names the ETags', async () => {
    const other = BODY.replace('1002', '1003');
    expect(Buffer.byteLength(other)).toBe(Buffer.byteLength(BODY));
    const run = await crashedRun(other, md5(BODY));
    const reason = await run.adopt();
    expect(reason).toContain('was replaced in object storage since its checkpoint');
    expect(reason).toContain(md5(other));
    expect(await readdir(run.stagingRoot)).toEqual(['crashed']);
  });

  it('a checkpoint without an ETag (the previous format): not adopted on size alone', async () => {
    const run = await crashedRun(BODY, undefined);
    expect(await run.adopt()).toContain('its checkpoint records no ETag');
  });

  it('another size: not adopted', async () => {
    const run = await crashedRun(`${BODY}{"id":1003}\n`, md5(BODY));
    expect(await run.adopt()).toContain('is missing or has the wrong size');
  });
});

describe('sameEtag', () => {
  it.each([
    ['"abc"', '"abc"', true],
    ['"abc"', 'abc', true],
    ['W/"abc"', '"abc"', true],
    ['"abc-3"', '"abc-3"', true],
    ['"abc"', '"abd"', false],
    ['""', '""', false],
    ['', '', false],
  ])('%s vs %s: %s', (a, b, same) => {
    expect(sameEtag(a, b)).toBe(same);
  });
});
