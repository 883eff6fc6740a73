/**
 * The object-storage CronJob recipe (examples/scheduled/cronjob-s3.yaml, issue 18) does what its
 * comments say: its export arguments, pointed at s3rver, run twice with every call once (state
 * in the bucket, second run incremental); a live lock in the bucket makes the CLI exit 8, and
 * the recipe's shell wrapper turns exactly that code into 0 while passing every other through.
 */
import { execFile } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startSimulator } from '@omnidim-stream/simulator';
import { describe, expect, it } from 'vitest';
import { compareIds } from './harness/dataset.js';
import { ROOT, runCliInProcess } from './harness/run-cli.js';
import { s3Scope } from './harness/s3-scope.js';
import { tempDir } from './harness/scenario.js';
import { LEAK_KEY } from './harness/settings.js';

const scope = s3Scope();
const RECIPE = join(ROOT, 'examples/scheduled/cronjob-s3.yaml');

async function recipe(): Promise<{ args: string[]; command: string[] }> {
  const yaml = await readFile(RECIPE, 'utf8');
  const args = yaml
    .slice(yaml.indexOf('args:'), yaml.indexOf('env:', yaml.indexOf('args:')))
    .split('\n')
    .filter((l) => l.trim().startsWith('- '))
    .map((l) => l.trim().slice(2));
  const commandLine = yaml.split('\n').find((l) => l.trim().startsWith('command:')) ?? '';
  // A YAML flow sequence of quoted strings: JSON once its single quotes are made double.
  const command = JSON.parse(
    commandLine
      .slice(commandLine.indexOf('['))
      .replace(/'([^']*)'/g, (_m, inner: string) => JSON.stringify(inner)),
  ) as string[];
  return { args, command };
}

describe('examples/scheduled/cronjob-s3.yaml', () => {
  it('its export, pointed at the test server, runs twice with every call once and the state in the bucket; a held lock exits 8', async () => {
    const { args } = await recipe();
    expect(args[0]).toBe('export');
    expect(args).toContain('--state');
    const dir = await tempDir('s3-cronjob');
    scope.cleanups.push(dir.remove);
    const sim = await startSimulator({ seed: 42, records: 90, apiKey: LEAK_KEY });
    scope.sim = sim;
    await writeFile(join(dir.path, 'api-key'), LEAK_KEY);
    const argv = [
      ...args.map((a) =>
        a === 's3://my-lake/omnidim'
          ? 's3://lake/cronjob'
          : a === '/secrets/api-key'
            ? join(dir.path, 'api-key')
            : a,
      ),
      '--base-url',
      sim.url,
      '--s3-endpoint',
      scope.server.endpoint,
      '--s3-force-path-style',
    ];
    for (const mode of ['full', 'incremental']) {
      const run = await runCliInProcess(argv, {});
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout).mode).toBe(mode);
      const bucket = await tempDir('s3-cronjob-bucket');
      scope.cleanups.push(bucket.remove);
      const keys = await scope.server.download('cronjob', bucket.path);
      expect(keys).toContain('_state.json');
      expect(compareIds(sim.ids(), await scope.reader.ids(bucket.path, 'parquet'))).toEqual({
        missing: [],
        duplicated: [],
        unexpected: [],
      });
      sim.insertCalls(5);
    }
    // Another pod's live lock (another host, renewed just now): this run exits 8.
    const lock = JSON.stringify({ runId: 'other-pod', pid: 1, host: 'other-node' });
    const objects = await scope.server.objects('cronjob');
    expect(objects.has('_lock')).toBe(false);
    const put = await fetch(`${scope.server.plainEndpoint}/lake/cronjob/_lock`, {
      method: 'PUT',
      body: lock,
    });
    expect(put.ok).toBe(true);
    const locked = await runCliInProcess(argv, {});
    expect(locked.code, locked.stderr).toBe(8);
  });

  it("the recipe's wrapper exits 0 on 8 (another run holds the lock) and passes every other code through", async () => {
    const { command } = await recipe();
    expect(command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    const dir = await tempDir('s3-cronjob-wrapper');
    scope.cleanups.push(dir.remove);
    // A stand-in omnidim-stream that exits with the code it is given as its first argument.
    const fake = join(dir.path, 'omnidim-stream');
    await writeFile(fake, '#!/bin/sh\nexit "$1"\n');
    await chmod(fake, 0o755);
    const exitOf = (code: number) =>
      new Promise<number>((resolve) => {
        const child = execFile(command[0]!, [...command.slice(1), String(code)], {
          env: { PATH: `${dir.path}:${process.env['PATH'] ?? ''}` },
        });
        child.on('exit', (c) => resolve(c ?? -1));
      });
    expect(await exitOf(8)).toBe(0);
    for (const code of [0, 2, 3, 4, 5, 6]) expect(await exitOf(code)).toBe(code);
  });
});
