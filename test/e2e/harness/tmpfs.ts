/**
 * Small tmpfs volumes for the disk-full tests (ENOSPC on a real file system). Mounting needs root
 * (or a user namespace): where it is not allowed the tests are skipped, loudly, not failed.
 */
import { execFileSync } from 'node:child_process';
import { tempDir } from './scenario.js';

/**
 * Mounts a tmpfs of `size` (e.g. `2m`) at `dir`; returns why not when this machine does not
 * allow it, undefined once mounted.
 *
 * @example
 * const why = mountTmpfs(dir, '16m'); // undefined: mounted
 */
export function mountTmpfs(dir: string, size: string): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    return (error as { stderr?: Buffer }).stderr?.toString().trim() || String(error);
  }
}

/**
 * Why this machine cannot mount a tmpfs (a probe mount, unmounted at once), or undefined when it
 * can; warns once with `what` when it cannot.
 *
 * @example
 * const cannotMount = await tmpfsUnavailable('disk-full tests');
 */
export async function tmpfsUnavailable(what: string): Promise<string | undefined> {
  const probe = await tempDir('tmpfs-probe');
  const why = mountTmpfs(probe.path, '2m');
  if (why === undefined) execFileSync('umount', [probe.path]);
  await probe.remove();
  if (why !== undefined) {
    console.warn(`\n*** ${what} SKIPPED: cannot mount a tmpfs (${why}); run as root to cover ENOSPC ***\n`);
  }
  return why;
}
