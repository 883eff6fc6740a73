import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envFor, listFiles, runMain, simulatorScope } from './helpers.js';

/**
 * Review of issue 19's `--metrics-file` placement: it is written at the end of every run, failed
 * ones included, so a path inside `--out` (the manifest, a data file) would overwrite the lake a
 * failed run must leave intact; and its temp file must not follow a planted symlink out of its
 * directory. Simulator on 127.0.0.1.
 */
describe('--metrics-file placement', () => {
  const scope = simulatorScope('metrics-place');

  it('inside --out (even through a symlinked directory) is exit 2 naming the flag, before any request', async () => {
    const sim = await scope.start({ records: 60, seed: 31 });
    const out = await scope.lake();
    expect((await runMain(['export', '--out', out], { env: envFor(sim) })).code).toBe(0);
    const manifest = join(out, '_manifest.json');
    const before = await readFile(manifest);
    const files = await listFiles(out);
    const requests = sim.stats.requests;
    // A failed run (refused key) would still write its metrics, over the manifest.
    const env = { ...envFor(sim), OMNIDIM_API_KEY: 'sk-wrong-key' };
    const inside = await runMain(['export', '--out', out, '--metrics-file', manifest], { env });
    expect(inside.stderr).toContain('--metrics-file');
    expect(inside.code).toBe(2);
    const alias = join(out, '..', 'alias');
    await symlink(out, alias);
    const through = await runMain(['export', '--out', out, '--metrics-file', join(alias, 'm.prom')], { env });
    expect(through.stderr).toContain('--metrics-file');
    expect(through.code).toBe(2);
    expect(sim.stats.requests).toBe(requests);
    expect(await readFile(manifest)).toEqual(before);
    expect(await listFiles(out)).toEqual(files);
  }, 60_000);

  it("a symlink planted at the metrics temp file's name is not followed", async () => {
    const sim = await scope.start({ records: 30, seed: 32 });
    const out = await scope.lake();
    const dir = join(out, '..', 'metrics');
    await mkdir(dir);
    const target = join(out, '..', 'victim.txt');
    await writeFile(target, 'precious\n');
    const metrics = join(dir, 'omnidim.prom');
    // runMain runs in this process: the temp name's pid is ours.
    await symlink(target, `${metrics}.${process.pid}.tmp`);
    const run = await runMain(['export', '--out', out, '--metrics-file', metrics], { env: envFor(sim) });
    expect(run.code).toBe(0);
    expect(await readFile(target, 'utf8')).toBe('precious\n');
    expect(await readFile(metrics, 'utf8')).toContain(
      'omnidim_stream_last_run_exit_code{command="export"} 0',
    );
  }, 60_000);
});
