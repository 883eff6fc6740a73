/**
 * Packs every workspace package (`packages/*`, discovered, not listed) with `pnpm pack` and
 * installs all the tarballs at once with `npm install -g --prefix`, as a user without the
 * monorepo would (README "Install"). The global prefix doubles as a consumer project:
 * `<prefix>/lib/node_modules` is where `npm install -g` puts the packages, so a script in
 * `<prefix>/lib/consumer/` resolves them exactly as an ordinary dependency would.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packedTarballs } from './packed-tarballs-cache.js';
import { describeResult, runCommand } from './run-command.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface WorkspacePackage {
  /** Folder under `packages/`. */
  dir: string;
  name: string;
  version: string;
}

/** Every package under `packages/*` that would be published (has a package.json, not private). */
export function workspacePackages(): WorkspacePackage[] {
  const found: WorkspacePackage[] = [];
  for (const dir of readdirSync(join(ROOT, 'packages')).sort()) {
    let manifest: { name: string; version: string; private?: boolean };
    try {
      manifest = JSON.parse(readFileSync(join(ROOT, 'packages', dir, 'package.json'), 'utf8'));
    } catch {
      continue;
    }
    if (!manifest.private) found.push({ dir, name: manifest.name, version: manifest.version });
  }
  return found;
}

/** The file name `pnpm pack` gives a package: `@omnidim-stream/core` 0.1.0 → `omnidim-stream-core-0.1.0.tgz`. */
export function tarballName(pkg: WorkspacePackage): string {
  return `${pkg.name.replace(/^@/, '').replace('/', '-')}-${pkg.version}.tgz`;
}

/**
 * The environment for npm and pnpm children: this process's, without the `npm_*` variables a
 * parent `pnpm test` sets (its config would otherwise leak into the user-style `npm install`).
 */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.toLowerCase().startsWith('npm_')) env[key] = value;
  }
  return { ...env, ...extra };
}

/** `pnpm@<version>` from the root package.json's `packageManager`, as the README runs it. */
function pinnedPnpm(): string {
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { packageManager: string };
  return root.packageManager;
}

export interface PackedInstall {
  tarballs: string[];
  prefix: string;
  /** `<prefix>/lib/node_modules`: where the packages are installed. */
  modules: string;
  /** `<prefix>/bin`: the installed commands. */
  bin: string;
  /** `<prefix>/lib/consumer`: an empty folder whose scripts resolve the installed packages. */
  consumer: string;
}

/**
 * The tarballs of `pnpm -r pack` (each package's `prepack` compiles its dist first; packed once
 * per content, see packed-tarballs-cache.ts), then one `npm install -g --prefix` of every
 * tarball. Throws with the command's output on failure.
 */
export async function packAndInstall(work: string): Promise<PackedInstall> {
  const prefix = join(work, 'prefix');
  const { tarballs } = await packedTarballs(ROOT, pinnedPnpm(), cleanEnv());
  // --prefer-offline: third-party dependencies come from npm's cache when it has them.
  const install = await runCommand(
    'npm',
    ['install', '--global', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', ...tarballs],
    { cwd: work, env: cleanEnv() },
  );
  if (install.code !== 0) throw new Error(describeResult('npm install -g', install));
  const consumer = join(prefix, 'lib', 'consumer');
  await mkdir(consumer, { recursive: true });
  return {
    tarballs,
    prefix,
    modules: join(prefix, 'lib', 'node_modules'),
    bin: join(prefix, 'bin'),
    consumer,
  };
}
