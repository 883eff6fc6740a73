/**
 * `pnpm -r pack` once per content of what gets packed. `pnpm test` installs the tarballs on Node
 * 20, 22 and 24 (test/install.packed-tarballs.test.ts); packing compiles every package's dist
 * (`prepack`), the same bytes on every Node, and was about half of that file's 45 s on each.
 * The tarballs are kept under `node_modules/.cache/omnidim-stream/packed/<key>/`, where the key is
 * a SHA-256 of every file that can change a tarball: each package's files but its `test/`,
 * `dist/` and `node_modules/` (src, package.json, tsconfig.build.json, README...), the root
 * tsconfig.base.json, package.json (the pinned pnpm) and pnpm-lock.yaml (the compiler's and the
 * type packages' versions). A changed source file is a new key, so a stale tarball is never
 * installed; old keys are left for `rm -rf node_modules/.cache` (each is ~1 MB).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describeResult, runCommand } from './run-command.js';

/** Folders of a package that never reach its tarball as they are: tests, build output, installs. */
const NOT_PACKED = new Set(['test', 'dist', 'node_modules']);
const ROOT_INPUTS = ['tsconfig.base.json', 'package.json', 'pnpm-lock.yaml'];

function filesUnder(dir: string, out: string[]): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!NOT_PACKED.has(entry.name)) filesUnder(join(dir, entry.name), out);
    } else if (entry.isFile() && !entry.name.endsWith('.tsbuildinfo')) {
      out.push(join(dir, entry.name));
    }
  }
  return out;
}

/** SHA-256 over the path and bytes of every file that goes into, or builds, a tarball. */
export function packInputsKey(root: string): string {
  const files = [...ROOT_INPUTS.map((f) => join(root, f)), ...filesUnder(join(root, 'packages'), [])];
  const hash = createHash('sha256');
  for (const file of files.sort()) {
    hash.update(`${relative(root, file)}\0`);
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 24);
}

async function tarballsIn(dir: string): Promise<string[]> {
  return (await readdir(dir))
    .filter((f) => f.endsWith('.tgz'))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * The tarballs of every `packages/*` package for the current sources: from the cache when this
 * content was packed before, else packed now by `pnpm` (the pinned `packageManager`). Two Node
 * versions packing at once each pack into a temp folder and rename it into place; the second
 * rename finds the key taken and uses that one. Throws with pnpm's output on failure.
 */
export async function packedTarballs(
  root: string,
  pnpm: string,
  env: NodeJS.ProcessEnv,
): Promise<{ tarballs: string[]; cached: boolean }> {
  const cache = join(root, 'node_modules/.cache/omnidim-stream/packed');
  const keyed = join(cache, packInputsKey(root));
  const existing = await tarballsIn(keyed).catch(() => []);
  if (existing.length > 0) return { tarballs: existing, cached: true };
  await mkdir(cache, { recursive: true });
  const staging = await mkdtemp(join(cache, '.packing-'));
  const pack = await runCommand(
    'npx',
    ['--yes', pnpm, '-r', '--filter', './packages/*', 'pack', '--pack-destination', staging],
    { cwd: root, env },
  );
  if (pack.code !== 0) {
    await rm(staging, { recursive: true, force: true });
    throw new Error(describeResult('pnpm pack', pack));
  }
  try {
    await rename(staging, keyed);
  } catch {
    // Another run packed the same content first: its tarballs are the same.
    await rm(staging, { recursive: true, force: true });
  }
  return { tarballs: await tarballsIn(keyed), cached: false };
}
