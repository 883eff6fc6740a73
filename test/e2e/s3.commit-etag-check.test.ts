/**
 * The commit of an `s3://` run HEADs the part objects it streamed before its manifest PUT: one
 * replaced after its upload (by other bytes of the same size: another writer, a hand edit) is
 * refused with exit 6 and a message naming its key, and the previous lake stays exactly as it was
 * (read back from s3rver's own store by DuckDB). Against s3rver behind the harness proxy; the
 * object is replaced while the proxy holds the commit's listing of the bucket, i.e. after the
 * last checkpoint and the local commit, right before the check.
 */
import { readFileSync } from 'node:fs';
import { startSimulator } from '@omnidim-stream/simulator';
import type { DatasetManifest } from '@omnidim-stream/sinks';
import { describe, expect, it } from 'vitest';
import { compareIds } from './harness/dataset.js';
import { ROOT, spawnCli } from './harness/run-cli.js';
import { expectExactlyTheManifest } from './harness/s3-bucket-check.js';
import { s3NdjsonExportArgv, s3Scope } from './harness/s3-scope.js';
import { TEST_SECRET } from './harness/s3-server.js';
import { describeRun, keyEnv } from './harness/scenario.js';
import { LEAK_KEY, SETTINGS } from './harness/settings.js';

const scope = s3Scope();
const NO_IDS = { missing: [], duplicated: [], unexpected: [] };

function argvOf(prefix: string, workers: number): string[] {
  return s3NdjsonExportArgv(scope, prefix, { workers, pageSize: 50, concurrency: 2, checkpointPages: 2 });
}

const env = () => ({ ...keyEnv(), ...scope.server.env });

/** `text` with its first digit changed: the same size, other bytes, still one JSON object a line. */
function oneDigitChanged(text: string): string {
  const at = text.search(/[0-9]/);
  if (at < 0) throw new Error('no digit in the part file');
  return text.slice(0, at) + String((Number(text[at]) + 1) % 10) + text.slice(at + 1);
}

/** The manifest of `prefix` as s3rver stores it (its raw bytes and parsed). */
async function storedManifest(prefix: string): Promise<{ text: string; manifest: DatasetManifest }> {
  const file = (await scope.server.objects(prefix)).get('_manifest.json');
  expect(file).toBeDefined();
  const text = readFileSync(file!, 'utf8');
  return { text, manifest: JSON.parse(text) as DatasetManifest };
}

describe('the commit of an s3:// run checks its streamed part objects (HEAD: size and ETag)', () => {
  it.each([2])(
    'workers %i: a part object replaced between the last checkpoint and the manifest PUT: exit 6 naming the key, the previous lake unchanged; the next run commits',
    async (workers) => {
      const prefix = `commit-etag-${workers}`;
      scope.sim = await startSimulator({ seed: 301 + workers, records: 300, apiKey: LEAK_KEY });
      const first = await spawnCli(argvOf(prefix, workers), env(), ROOT).done;
      expect(first.code, describeRun(first)).toBe(0);
      const firstIds = scope.sim.ids();
      const before = await storedManifest(prefix);
      await scope.sim.close();

      scope.sim = await startSimulator({ seed: 311 + workers, records: 300, apiKey: LEAK_KEY });
      // Every part object of the second run's calls table is replaced: the commit's small-file
      // merge may have superseded some (those are deleted, never listed), the others are listed.
      let replaced: string[] | undefined;
      scope.server.hold = (request) => {
        // The commit's listing of the whole dataset (object-lake-publish.ts): only the commit
        // lists the prefix itself; by then every part file of the run is in the bucket.
        const commitList = request.method === 'GET' && request.key === '' && request.query.has('list-type');
        if (replaced !== undefined || !commitList || request.query.get('prefix') !== `${prefix}/`) return;
        return (async () => {
          const objects = await scope.server.objects(prefix);
          const old = new Set(before.manifest.files.map((f) => f.path));
          const keys = [...objects.keys()].filter(
            (k) => k.startsWith('calls/') && k.endsWith('.ndjson') && !old.has(k),
          );
          for (const key of keys) {
            const text = readFileSync(objects.get(key)!, 'utf8');
            const put = await fetch(`${scope.server.plainEndpoint}/lake/${prefix}/${key}`, {
              method: 'PUT',
              body: oneDigitChanged(text),
            });
            expect(put.status).toBe(200);
          }
          replaced = keys;
        })();
      };
      const second = await spawnCli(argvOf(prefix, workers), env(), ROOT).done;
      scope.server.hold = undefined;
      expect(replaced?.length, describeRun(second)).toBeGreaterThan(0);
      expect(second.code, describeRun(second)).toBe(6);
      const named = new RegExp(`s3://lake/${prefix}/(\\S+) was replaced \\(ETag`).exec(second.stderr);
      expect(named, second.stderr).not.toBeNull();
      expect(replaced).toContain(named![1]);
      expect(second.stderr).not.toContain(TEST_SECRET);
      expect(second.stderr).not.toContain(LEAK_KEY);
      // The previous version, byte for byte, and nothing else under the prefix: the refused run's
      // part objects (the replaced one too) are deleted.
      expect((await storedManifest(prefix)).text).toBe(before.text);
      const { dir } = await expectExactlyTheManifest(scope, prefix, describeRun(second));
      expect(compareIds(firstIds, await scope.reader.ids(dir, 'ndjson'))).toEqual(NO_IDS);

      // Not a denial of service: the next run, left alone, commits the new list.
      const third = await spawnCli(argvOf(prefix, workers), env(), ROOT).done;
      expect(third.code, describeRun(third)).toBe(0);
      const after = await expectExactlyTheManifest(scope, prefix, describeRun(third));
      expect(compareIds(scope.sim.ids(), await scope.reader.ids(after.dir, 'ndjson'))).toEqual(NO_IDS);
    },
    SETTINGS.timeoutMs,
  );
});
