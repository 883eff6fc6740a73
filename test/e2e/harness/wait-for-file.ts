import { watch } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/**
 * Resolves with the first file under `dir` (relative, `/`-separated) that `match` accepts, waiting
 * on file-system events (no timer): checked once at the start and again on every event under
 * `dir`. Rejects when `abandon` settles first (e.g. the process that should write it exited).
 */
export async function waitForFile(
  dir: string,
  match: (path: string) => boolean,
  abandon: Promise<unknown>,
): Promise<string> {
  const find = async (): Promise<string | undefined> => {
    const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
    return entries
      .filter((e) => e.isFile())
      .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
      .find(match);
  };
  return new Promise<string>((resolve, reject) => {
    let done = false;
    const watcher = watch(dir, { recursive: true });
    const finish = (error: Error | undefined, found?: string) => {
      if (done) return;
      done = true;
      watcher.close();
      if (error) reject(error);
      else resolve(found!);
    };
    const check = () => {
      find().then((found) => {
        if (found !== undefined) finish(undefined, found);
      }, finish);
    };
    watcher.on('change', check);
    watcher.on('error', finish);
    abandon.then(
      (value) =>
        finish(new Error(`gave up waiting for a file in ${dir}: ${JSON.stringify(value)?.slice(0, 500)}`)),
      finish,
    );
    check();
  });
}
