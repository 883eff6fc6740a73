/**
 * Issue 20: the packed tarballs install and work outside the monorepo. Every package under
 * `packages/*` is packed once and the tarballs installed once with `npm install -g` into a temp
 * prefix; the tests then use only what was installed there, with this process's Node.
 */
import { existsSync } from 'node:fs';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckReader } from './e2e/harness/dataset.js';
import { tempDir } from './e2e/harness/scenario.js';
import {
  cleanEnv,
  type PackedInstall,
  packAndInstall,
  ROOT,
  tarballName,
  workspacePackages,
} from './install/packed-install.js';
import { type CommandResult, describeResult, runCommand } from './install/run-command.js';

const PACKAGES = workspacePackages();
const CONSUMER_SOURCES = join(ROOT, 'test/install/consumer');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
/** The consumer's type roots: @types/node is the only type package it needs. */
const TYPE_ROOTS = join(ROOT, 'node_modules/@types');

interface PublishedManifest {
  name: string;
  version: string;
  exports: Record<string, string | Record<string, string>>;
  dependencies?: Record<string, string>;
}

function installedManifest(installed: PackedInstall, name: string): Promise<PublishedManifest> {
  return readFile(join(installed.modules, name, 'package.json'), 'utf8').then((t) => JSON.parse(t));
}

/** Every condition name used anywhere in an `exports` map. */
function conditions(exportsMap: PublishedManifest['exports']): string[] {
  return Object.values(exportsMap).flatMap((target) =>
    typeof target === 'string' ? [] : Object.keys(target),
  );
}

/** Every file an `exports` map points at. */
function targets(exportsMap: PublishedManifest['exports']): string[] {
  return Object.values(exportsMap).flatMap((target) =>
    typeof target === 'string' ? [target] : Object.values(target),
  );
}

/** The installed `omnidim-stream` command; `#!/usr/bin/env node` finds this process's Node first. */
function cli(installed: PackedInstall, args: string[], cwd: string): Promise<CommandResult> {
  const path = `${dirname(process.execPath)}:${installed.bin}:${process.env['PATH'] ?? ''}`;
  return runCommand(join(installed.bin, 'omnidim-stream'), args, { cwd, env: cleanEnv({ PATH: path }) });
}

describe(`pnpm pack + npm install -g of ${PACKAGES.map((p) => p.dir).join(', ')} (Node ${process.version})`, () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  let installed: PackedInstall;
  let duck: DuckReader;

  beforeAll(async () => {
    work = await tempDir('install');
    installed = await packAndInstall(work.path);
    duck = await DuckReader.open();
  }, 600_000);
  afterAll(async () => {
    duck?.close();
    await work?.remove();
  });

  it('packs one tarball per package with every entry point, and none publishes a `source` condition or a workspace: range', async () => {
    expect(installed.tarballs.map((t) => basename(t))).toEqual(PACKAGES.map(tarballName).sort());
    for (const { name, dir } of PACKAGES) {
      const manifest = await installedManifest(installed, name);
      expect(conditions(manifest.exports), name).not.toContain('source');
      // publishConfig.exports is a second copy of the map: the same entry points, every file there.
      const workspace = JSON.parse(await readFile(join(ROOT, 'packages', dir, 'package.json'), 'utf8'));
      expect(Object.keys(manifest.exports), name).toEqual(Object.keys(workspace.exports));
      for (const target of targets(manifest.exports)) {
        expect(existsSync(join(installed.modules, name, target)), `${name}: ${target}`).toBe(true);
      }
      for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) {
        expect(range, `${name} → ${dep}`).not.toMatch(/^workspace:/);
      }
    }
  });

  it('installs the packages from the tarballs, not from a registry', async () => {
    // A dependency on a sibling resolved elsewhere would sit in a nested node_modules.
    for (const { name } of PACKAGES) {
      for (const other of PACKAGES) {
        const nested = await readFile(
          join(installed.modules, name, 'node_modules', other.name, 'package.json'),
          'utf8',
        )
          .then(() => true)
          .catch(() => false);
        expect(nested, `${name} has its own copy of ${other.name}`).toBe(false);
      }
    }
  });

  it('omnidim-stream --version prints the cli package version', async () => {
    const { version } = PACKAGES.find((p) => p.dir === 'cli')!;
    const result = await cli(installed, ['--version'], work.path);
    expect(result.code, describeResult('--version', result)).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it('omnidim-stream export --demo writes 1,000 calls that DuckDB reads back', async () => {
    const out = join(work.path, 'demo-lake');
    const result = await cli(installed, ['export', '--demo', '--out', out, '--quiet'], work.path);
    expect(result.code, describeResult('export --demo', result)).toBe(0);
    const [row] = await duck.query(
      `SELECT count(*) AS n, count(DISTINCT id) AS ids FROM read_parquet('${out}/calls/**/*.parquet')`,
    );
    // README quick start: the demo exports 1,000 simulated calls.
    expect([Number(row?.['n']), Number(row?.['ids'])]).toEqual([1000, 1000]);
  }, 120_000);

  it('require() of every export works (ESM-only packages, loaded through require(esm))', async () => {
    const specifiers: string[] = [];
    for (const { name } of PACKAGES) {
      const manifest = await installedManifest(installed, name);
      for (const subpath of Object.keys(manifest.exports)) specifiers.push(join(name, subpath));
    }
    await copyFile(join(CONSUMER_SOURCES, 'require-all.cjs'), join(installed.consumer, 'require-all.cjs'));
    const result = await runCommand(process.execPath, ['require-all.cjs', ...specifiers], {
      cwd: installed.consumer,
    });
    expect(result.code, describeResult('require-all.cjs', result)).toBe(0);
    const counts = JSON.parse(result.stdout) as Record<string, number>;
    expect(Object.keys(counts).sort()).toEqual([...specifiers].sort());
    for (const [specifier, count] of Object.entries(counts)) expect(count, specifier).toBeGreaterThan(0);
  });

  // node10 ignores `exports`: `types` and `typesVersions` in each manifest are what it reads. It
  // needs skipLibCheck (tsc --init's default): a dependency's own declarations (stream-json's) can
  // only be resolved with `exports`, which node10 does not read. README "Install" says so.
  it.each([
    { resolution: 'NodeNext', module: 'NodeNext', type: 'module', skipLibCheck: 'false' },
    { resolution: 'bundler', module: 'preserve', type: 'module', skipLibCheck: 'false' },
    { resolution: 'node10', module: 'commonjs', type: 'commonjs', skipLibCheck: 'true' },
  ])(
    'a typed script compiles with tsc under moduleResolution $resolution, runs, and DuckDB reads its lake',
    async ({ resolution, module, type, skipLibCheck }) => {
      const dir = join(installed.consumer, resolution);
      const outDir = join(dir, 'out');
      await writeFile(join(installed.consumer, 'package.json'), '{ "private": true, "type": "module" }\n');
      await copyFile(join(CONSUMER_SOURCES, 'export-lake.ts'), join(installed.consumer, 'export-lake.ts'));
      const tsc = await runCommand(
        process.execPath,
        [
          TSC,
          '--strict',
          '--skipLibCheck',
          skipLibCheck,
          '--target',
          'ES2022',
          '--module',
          module,
          '--moduleResolution',
          resolution,
          '--types',
          'node',
          '--typeRoots',
          TYPE_ROOTS,
          '--outDir',
          outDir,
          'export-lake.ts',
        ],
        { cwd: installed.consumer },
      );
      expect(tsc.code, describeResult(`tsc (${resolution})`, tsc)).toBe(0);
      await writeFile(join(outDir, 'package.json'), JSON.stringify({ type }));
      const lake = join(dir, 'lake');
      // --conditions=source: a consumer's own `source` condition must not reach our src/.
      const run = await runCommand(
        process.execPath,
        ['--conditions=source', join(outDir, 'export-lake.js'), lake, '37'],
        { cwd: installed.consumer },
      );
      expect(run.code, describeResult(`export-lake.js (${resolution})`, run)).toBe(0);
      const [row] = await duck.query(
        `SELECT count(*) AS n, count(DISTINCT id) AS ids FROM read_parquet('${lake}/calls/**/*.parquet')`,
      );
      expect([Number(row?.['n']), Number(row?.['ids'])]).toEqual([37, 37]);
      expect(JSON.parse(run.stdout)).toEqual({
        rows: { calls: 37 },
        apis: ['function', 'function', 'object'],
      });
    },
    120_000,
  );
});
