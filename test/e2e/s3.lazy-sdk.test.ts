/**
 * The AWS SDK is loaded only when an `s3://` target is used (issue 18): a local export never
 * loads `@aws-sdk/*`; the same export to a bucket does (so the check can fail). Each export runs
 * as its own process with module-resolution hooks that log every module it resolved.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './harness/run-cli.js';
import { s3Scope } from './harness/s3-scope.js';
import { tempDir } from './harness/scenario.js';

const scope = s3Scope();
const HOOKS = join(ROOT, 'packages/sinks/test/fixtures/module-log.mjs');
const CLI = join(ROOT, 'test/e2e/harness/cli-process.ts');

async function modulesOfExport(out: string, extra: string[], env: Record<string, string>): Promise<string[]> {
  const dir = await tempDir('s3-lazy');
  scope.cleanups.push(dir.remove);
  const log = join(dir.path, 'modules.log');
  const child = spawn(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      '--import',
      HOOKS,
      CLI,
      'export',
      '--demo',
      '--out',
      out,
      '--format',
      'ndjson',
      '--quiet',
      ...extra,
    ],
    {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '', MODULE_LOG: log, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const code = await new Promise((resolve) => child.on('close', resolve));
  expect(code, stderr).toBe(0);
  return (await readFile(log, 'utf8')).split('\n').filter(Boolean);
}

describe('the S3 SDK is loaded only for s3:// targets', () => {
  it('a local export loads no @aws-sdk module; an export to s3:// does', async () => {
    const dir = await tempDir('s3-lazy-lake');
    scope.cleanups.push(dir.remove);
    const local = await modulesOfExport(join(dir.path, 'lake'), [], {});
    expect(local.some((u) => u.includes('/packages/sinks/src/'))).toBe(true);
    expect(local.filter((u) => u.includes('@aws-sdk'))).toEqual([]);
    const remote = await modulesOfExport(
      's3://lake/lazy',
      ['--s3-endpoint', scope.server.endpoint, '--s3-force-path-style'],
      scope.server.env,
    );
    expect(remote.some((u) => u.includes('@aws-sdk/client-s3'))).toBe(true);
    expect(remote.some((u) => u.includes('@aws-sdk/lib-storage'))).toBe(true);
  }, 180_000);
});
