/**
 * Issue 12, requirements 4 (state), 5 and 6, through the real CLI:
 * - every mkdir failure ends in exit 6 naming the errno (`--out /proc/x` spun forever in Node's
 *   recursive mkdir and ignored SIGTERM);
 * - a `--state` that cannot be written fails the run before the commit: the lake and the state
 *   stay byte-for-byte as they were;
 * - a link planted as `_state.json` is refused, its target neither read nor written;
 * - files are created 0600 and directories 0700 whatever the umask (they hold personal data).
 */
import { lstat, mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { snapshot } from '../../packages/sinks/test/helpers.js';
import { checkDataset, compareIds, DuckReader } from './harness/dataset.js';
import { ROOT, runCliInProcess, spawnCli } from './harness/run-cli.js';
import { describeRun, exportArgv, keyEnv, tempDir } from './harness/scenario.js';
import { LEAK_KEY, SETTINGS, scenarioSeed } from './harness/settings.js';

let reader: DuckReader;
let sim: RunningSimulator;
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  reader = await DuckReader.open();
  sim = await startSimulator({ seed: scenarioSeed(40), records: 60, apiKey: LEAK_KEY });
});
afterAll(async () => {
  await sim.close();
  reader.close();
});
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function scratch(prefix: string): Promise<string> {
  const dir = await tempDir(prefix);
  cleanups.push(dir.remove);
  return dir.path;
}

const argv = (out: string, extra: string[] = []) =>
  exportArgv({ out, format: 'ndjson', baseUrl: sim.url, pageSize: 20, extra });

describe('mkdir failures end in exit 6 with the errno', () => {
  it.each([
    ['/proc/x/lake', 'ENOENT'],
    ['/proc/omnidim-test', 'ENOENT'],
  ])('--out %s: exit 6 naming %s, no endless loop', async (out, errno) => {
    // Its own process, as shipped: before, it never ended (the test timed out).
    const run = await spawnCli(argv(out), keyEnv(), ROOT).done;
    expect(run.code, describeRun(run)).toBe(6);
    expect(run.stderr, describeRun(run)).toMatch(new RegExp(`Cannot create ${out}.*${errno}`));
  });

  it('--out below a regular file: exit 6 naming ENOTDIR', async () => {
    const dir = await scratch('mkdir-notdir');
    await writeFile(join(dir, 'file'), 'x');
    const run = await runCliInProcess(argv(join(dir, 'file', 'lake')), keyEnv());
    expect(run.code, describeRun(run)).toBe(6);
    expect(run.stderr).toMatch(/ENOTDIR/);
  });
});

describe('the state file', () => {
  it('a --state that cannot be written fails before the commit: lake and state byte-for-byte unchanged', async () => {
    const dir = await scratch('state-unwritable');
    const out = join(dir, 'lake');
    const first = await runCliInProcess(argv(out, ['--state']), keyEnv());
    expect(first.code, describeRun(first)).toBe(0);
    const before = await snapshot(out);
    expect(Object.keys(before)).toContain('_state.json');
    // A state path under /proc can never be created.
    const run = await runCliInProcess(argv(out, ['--state', '/proc/x/state.json']), keyEnv());
    expect(run.code, describeRun(run)).toBe(6);
    expect(run.stderr).toMatch(
      /--state: cannot write \/proc\/x\/state\.json \(ENOENT\); nothing was committed/,
    );
    expect(await snapshot(out)).toEqual(before);
    await checkDataset(reader, out, 'ndjson', describeRun(run));
    expect(compareIds(sim.ids(), await reader.ids(out, 'ndjson'))).toEqual({
      missing: [],
      duplicated: [],
      unexpected: [],
    });
  });

  it('a symlink planted as _state.json is refused (exit 6); its target is neither read nor written', async () => {
    const dir = await scratch('state-link');
    const out = join(dir, 'lake');
    const first = await runCliInProcess(argv(out), keyEnv());
    expect(first.code, describeRun(first)).toBe(0);
    const target = join(dir, 'precious.json');
    await writeFile(target, '{"mine": true}\n');
    await symlink(target, join(out, '_state.json'));
    const before = await snapshot(out);
    const run = await runCliInProcess(argv(out, ['--state']), keyEnv());
    expect(run.code, describeRun(run)).toBe(6);
    expect(run.stderr).toMatch(/_state\.json is a symbolic link/);
    expect(await readFile(target, 'utf8')).toBe('{"mine": true}\n');
    expect((await lstat(join(out, '_state.json'))).isSymbolicLink()).toBe(true);
    expect(await snapshot(out)).toEqual(before);
  });
});

describe('file modes', () => {
  it(
    'with umask 000, every file of the lake and state is 0600 and every directory 0700',
    async () => {
      const dir = await scratch('modes');
      const out = join(dir, 'lake');
      await mkdir(out, { mode: 0o700 });
      const umask = process.umask(0);
      let run: Awaited<ReturnType<typeof runCliInProcess>>;
      try {
        run = await runCliInProcess(argv(out, ['--state', '--raw']), keyEnv());
      } finally {
        process.umask(umask);
      }
      expect(run.code, describeRun(run)).toBe(0);
      const wrong: string[] = [];
      const entries = await readdir(out, { recursive: true, withFileTypes: true });
      for (const e of entries) {
        const path = join(e.parentPath, e.name);
        const mode = (await lstat(path)).mode & 0o777;
        const expected = e.isDirectory() ? 0o700 : 0o600;
        if (mode !== expected) wrong.push(`${path.slice(out.length)} ${mode.toString(8)}`);
      }
      expect(entries.length).toBeGreaterThan(10);
      expect(entries.map((e) => e.name)).toContain('_state.json');
      expect(wrong).toEqual([]);
      await rm(out, { recursive: true, force: true });
    },
    SETTINGS.timeoutMs,
  );
});
