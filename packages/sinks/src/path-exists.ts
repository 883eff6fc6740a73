import { stat } from 'node:fs/promises';

/** True when `path` exists (following links); any failure to stat it counts as absent. */
export async function pathExists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
