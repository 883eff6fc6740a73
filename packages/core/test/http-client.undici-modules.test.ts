/**
 * Issue 21, memory: the source loads undici's Pool and request API, not undici's index (every
 * dispatcher, fetch, WebSocket, caches, mocks: ~10 MB of RSS the export never uses;
 * src/undici-pool.ts). A fresh node pages a loopback simulator through the package entry point;
 * the calls must all arrive (checked against the simulator's own ids) and undici's index.js
 * must not be among the CommonJS files it loaded.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const FIXTURE = fileURLToPath(new URL('./fixtures/undici-modules.ts', import.meta.url));

it('paging a simulator loads undici/lib/dispatcher/pool.js and never undici/index.js', async () => {
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', FIXTURE], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const code = await new Promise((resolve) => child.on('close', resolve));
  expect(code, stderr).toBe(0);
  const { got, expected, loaded } = JSON.parse(stdout) as {
    got: number[];
    expected: number[];
    loaded: string[];
  };
  expect(got).toEqual(expected);
  expect(expected.length).toBe(120);
  const undici = loaded
    .map((p) => p.replaceAll('\\', '/'))
    .filter((p) => p.includes('/undici/'))
    .map((p) => p.replace(/^.*\/undici\//, ''));
  // The positive check first, so a path format change cannot make the negative one pass vacuously.
  expect(undici).toContain('lib/dispatcher/pool.js');
  expect(undici).not.toContain('index.js');
  expect(undici.filter((p) => /^lib\/(web|mock|cache)\//.test(p))).toEqual([]);
});
