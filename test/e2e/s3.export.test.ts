/**
 * Object storage (issue 18), the must-show: `export --out s3://bucket/prefix --s3-endpoint …
 * --s3-force-path-style --single-writer` against s3rver on 127.0.0.1 writes the same tables as a
 * local export (same rows, same ids, same manifest shape), read back with DuckDB from the objects
 * as s3rver stores them; `--demo` takes an `s3://` target the same way; a server that ignores
 * conditional writes is refused without `--single-writer`; two runs at once: one wins, the other
 * exits 8; no credential reaches an output, a message or an object.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSimulator } from '@omnidim-stream/simulator';
import type { DatasetManifest } from '@omnidim-stream/sinks';
import { describe, expect, it } from 'vitest';
import { type Format, TABLES } from './harness/dataset.js';
import { runCliInProcess } from './harness/run-cli.js';
import { s3Scope } from './harness/s3-scope.js';
import { TEST_SECRET } from './harness/s3-server.js';
import { exportArgv, keyEnv, tempDir } from './harness/scenario.js';
import { LEAK_KEY } from './harness/settings.js';

const scope = s3Scope();

function s3Flags(endpoint = scope.server.endpoint): string[] {
  return ['--s3-endpoint', endpoint, '--s3-force-path-style'];
}

/** Root objects that are not data: the manifest, the state, the lock, the `_SUCCESS` markers. */
function isControl(key: string): boolean {
  return key === '_manifest.json' || key === '_state.json' || key.endsWith('/_SUCCESS');
}

async function secretFree(prefix: string, texts: string[]): Promise<void> {
  for (const text of texts) {
    expect(text).not.toContain(TEST_SECRET);
    expect(text).not.toContain(LEAK_KEY);
  }
  for (const [key, file] of await scope.server.objects(prefix)) {
    const body = await readFile(file);
    expect(body.includes(TEST_SECRET), key).toBe(false);
  }
}

describe('export --out s3://… writes what a local export writes', () => {
  it.each<Format>(['parquet', 'ndjson'])(
    "%s: same rows, same ids, same manifest shape; the objects under the prefix are exactly the manifest's",
    async (format) => {
      scope.sim = await startSimulator({ seed: 18, records: 120, apiKey: LEAK_KEY });
      const dir = await tempDir('s3-must-show');
      scope.cleanups.push(dir.remove);
      const local = join(dir.path, 'local');
      const prefix = `must-show-${format}`;
      const base = { format, baseUrl: scope.sim.url, pageSize: 20, extra: ['--raw'] };
      const localRun = await runCliInProcess(exportArgv({ ...base, out: local }), keyEnv());
      expect(localRun.code, localRun.stderr).toBe(0);
      const s3Run = await runCliInProcess(
        exportArgv({
          ...base,
          out: `s3://lake/${prefix}`,
          extra: ['--raw', ...s3Flags(), '--single-writer'],
        }),
        keyEnv(),
      );
      expect(s3Run.code, s3Run.stderr).toBe(0);
      expect(JSON.parse(s3Run.stdout).outputDir).toBe(`s3://lake/${prefix}`);

      const bucket = join(dir.path, 'bucket');
      const keys = await scope.server.download(prefix, bucket);
      const manifest = JSON.parse(await readFile(join(bucket, '_manifest.json'), 'utf8')) as DatasetManifest;
      const localManifest = JSON.parse(
        await readFile(join(local, '_manifest.json'), 'utf8'),
      ) as DatasetManifest;
      // Exactly the manifest's data and sidecars, plus the manifest and the markers; no lock left.
      const listed = [...manifest.files.map((f) => f.path), ...(manifest.sidecars ?? []).map((s) => s.path)];
      expect(keys.filter((k) => !isControl(k)).sort()).toEqual(listed.sort());
      expect(keys).not.toContain('_lock');
      // Same manifest shape: keys, tables, file paths (modulo the run id), sidecar kinds.
      expect(Object.keys(manifest).sort()).toEqual(Object.keys(localManifest).sort());
      expect(manifest.tables).toEqual(localManifest.tables);
      const shape = (m: DatasetManifest) =>
        m.files.map((f) => `${f.path.replace(m.runId, 'RUN')} ${f.rows}`).sort();
      expect(shape(manifest)).toEqual(shape(localManifest));
      expect((manifest.sidecars ?? []).map((s) => s.kind)).toEqual(
        (localManifest.sidecars ?? []).map((s) => s.kind),
      );
      // Same rows (every column) and the simulator's ids, read by DuckDB from the objects.
      for (const table of TABLES) {
        const order = table === 'calls' ? 'id' : '1, 2, 3';
        const fromS3 = await scope.reader.select(bucket, format, table, '*', `true ORDER BY ${order}`);
        const fromDisk = await scope.reader.select(local, format, table, '*', `true ORDER BY ${order}`);
        expect(fromS3.length, table).toBeGreaterThan(0);
        expect(fromS3, table).toEqual(fromDisk);
      }
      expect((await scope.reader.ids(bucket, format)).sort((a, b) => a - b)).toEqual(
        [...scope.sim.ids()].sort((a, b) => a - b),
      );
      await secretFree(prefix, [s3Run.stdout, s3Run.stderr]);
      expect(scope.server.unfinishedUploads()).toEqual([]);
    },
  );

  it('convert accepts an s3:// target: a --raw archive rebuilt into the bucket has the same ids', async () => {
    const sim = await startSimulator({ seed: 19, records: 60, apiKey: LEAK_KEY });
    scope.sim = sim;
    const dir = await tempDir('s3-convert');
    scope.cleanups.push(dir.remove);
    const local = join(dir.path, 'local');
    const exported = await runCliInProcess(
      exportArgv({ out: local, format: 'ndjson', baseUrl: sim.url, pageSize: 20, extra: ['--raw'] }),
      keyEnv(),
    );
    expect(exported.code, exported.stderr).toBe(0);
    const raw = JSON.parse(exported.stdout).raw as string;
    const converted = await runCliInProcess(
      [
        'convert',
        join(local, raw),
        '--out',
        's3://lake/converted',
        ...s3Flags(),
        '--format',
        'csv',
        '--json',
      ],
      {},
    );
    expect(converted.code, converted.stderr).toBe(0);
    const bucket = join(dir.path, 'bucket');
    await scope.server.download('converted', bucket);
    expect((await scope.reader.ids(bucket, 'csv')).sort((a, b) => a - b)).toEqual(
      [...sim.ids()].sort((a, b) => a - b),
    );
  });

  it('--demo accepts an s3:// target the same way', async () => {
    const dir = await tempDir('s3-demo');
    scope.cleanups.push(dir.remove);
    const run = await runCliInProcess(
      [
        'export',
        '--demo',
        '--out',
        's3://lake/demo',
        ...s3Flags(),
        '--single-writer',
        '--format',
        'csv',
        '--json',
      ],
      {},
    );
    expect(run.code, run.stderr).toBe(0);
    await scope.server.download('demo', dir.path);
    const ids = await scope.reader.ids(dir.path, 'csv');
    expect(ids.length).toBe(1000);
    expect(new Set(ids).size).toBe(1000);
  });
});

describe('conditional writes and the lock in the bucket', () => {
  it('a server that ignores conditional writes is refused (exit 2, naming --single-writer) before any API request; --single-writer runs', async () => {
    scope.sim = await startSimulator({ seed: 5, records: 30, apiKey: LEAK_KEY });
    const argv = exportArgv({
      out: 's3://lake/plain',
      format: 'ndjson',
      baseUrl: scope.sim.url,
      pageSize: 10,
    });
    const refused = await runCliInProcess([...argv, ...s3Flags(scope.server.plainEndpoint)], keyEnv());
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--single-writer');
    expect(scope.sim.stats.requests).toBe(0);
    expect([...(await scope.server.objects('plain')).keys()]).toEqual([]);
    const allowed = await runCliInProcess(
      [...argv, ...s3Flags(scope.server.plainEndpoint), '--single-writer'],
      keyEnv(),
    );
    expect(allowed.code, allowed.stderr).toBe(0);
    expect(allowed.stderr).toContain('ignored conditional writes');
  });

  it('two runs at once: the one holding the lock commits (0), the other exits 8 having written nothing', async () => {
    scope.sim = await startSimulator({ seed: 6, records: 60, apiKey: LEAK_KEY });
    const argv = [
      ...exportArgv({ out: 's3://lake/concurrent', format: 'parquet', baseUrl: scope.sim.url, pageSize: 10 }),
      ...s3Flags(),
    ];
    // Hold the first run at its commit point (its manifest PUT) until the second has finished.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let atCommit!: () => void;
    const reachedCommit = new Promise<void>((resolve) => (atCommit = resolve));
    scope.server.hold = (r) => {
      if (r.method !== 'PUT' || r.key !== 'concurrent/_manifest.json') return undefined;
      atCommit();
      return released;
    };
    const first = runCliInProcess(argv, keyEnv());
    await reachedCommit;
    const requestsBefore = scope.sim.stats.requests;
    const second = await runCliInProcess(argv, keyEnv());
    expect(second.code, second.stderr).toBe(8);
    expect(second.stderr).toContain('holds the dataset lock');
    expect(scope.sim.stats.requests).toBe(requestsBefore);
    release();
    const won = await first;
    expect(won.code, won.stderr).toBe(0);
    const dir = await tempDir('s3-concurrent');
    scope.cleanups.push(dir.remove);
    await scope.server.download('concurrent', dir.path);
    expect((await scope.reader.ids(dir.path, 'parquet')).sort((a, b) => a - b)).toEqual(
      [...scope.sim.ids()].sort((a, b) => a - b),
    );
  });

  it('refused credentials fail with exit 6 before any API request, and the secret appears nowhere', async () => {
    scope.sim = await startSimulator({ seed: 7, records: 10, apiKey: LEAK_KEY });
    // s3rver checks the key id but not SigV4 signatures: an unknown key id is its refusal.
    const wrong = 'secret_key_WRONGs3secretNEVERprinted42';
    const saved = { ...process.env };
    process.env['AWS_SECRET_ACCESS_KEY'] = wrong;
    process.env['AWS_ACCESS_KEY_ID'] = 'AKIAUNKNOWNKEYID0000';
    try {
      const run = await runCliInProcess(
        [
          ...exportArgv({ out: 's3://lake/denied', format: 'ndjson', baseUrl: scope.sim.url, pageSize: 10 }),
          ...s3Flags(),
        ],
        keyEnv(),
      );
      expect(run.code).toBe(6);
      expect(run.stderr).toMatch(/InvalidAccessKeyId.*HTTP 403/);
      expect(scope.sim.stats.requests).toBe(0);
      expect(run.stderr + run.stdout).not.toContain(wrong);
      expect(run.stderr + run.stdout).not.toContain('Signature=');
    } finally {
      Object.assign(process.env, {
        AWS_ACCESS_KEY_ID: saved['AWS_ACCESS_KEY_ID'],
        AWS_SECRET_ACCESS_KEY: saved['AWS_SECRET_ACCESS_KEY'],
      });
    }
  });
});
