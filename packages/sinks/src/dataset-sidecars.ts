/**
 * Sidecars: files a caller wrote into the run's staging dir (the quarantine, a raw archive) to be
 * committed with the data by the same journal. Checked and measured here for the manifest.
 */
import { stat } from 'node:fs/promises';
import { TABLE_NAMES } from '@omnidim-stream/transform';
import { datasetPath, isSafeRelative, STAGING_DIR, stagingRel } from './dataset-layout.js';
import type { DatasetSidecar } from './dataset-options.js';
import { SinkError } from './errors.js';
import { type ManifestSidecar, sha256File } from './manifest.js';

/** A checked sidecar: where it is staged (relative to the run's staging dir) and its manifest entry. */
export interface MeasuredSidecar {
  staged: string;
  entry: ManifestSidecar;
}

/**
 * Checks the caller's sidecars (final paths relative, outside the table dirs and `_staging`,
 * each once) and measures each staged file (size, sha256) under `root`'s staging dir of `runId`.
 */
export async function measureSidecars(
  root: string,
  runId: string,
  list: readonly DatasetSidecar[],
): Promise<MeasuredSidecar[]> {
  const out: MeasuredSidecar[] = [];
  const seen = new Set<string>();
  for (const sidecar of list) {
    const segments = String(sidecar.path).split('/');
    if (
      !isSafeRelative(sidecar.path) ||
      !isSafeRelative(sidecar.staged) ||
      (TABLE_NAMES as readonly string[]).includes(segments[0] ?? '') ||
      segments[0] === STAGING_DIR ||
      seen.has(sidecar.path)
    ) {
      throw new SinkError(
        `Invalid sidecar path ${JSON.stringify(String(sidecar.path).slice(0, 80))}: expected a relative path outside the table directories`,
      );
    }
    seen.add(sidecar.path);
    const full = stagedSidecarPath(root, runId, sidecar.staged);
    const bytes = await stat(full).then(
      (st) => st.size,
      (error: unknown) => {
        throw new SinkError(`Sidecar ${sidecar.staged} was not written`, { cause: error });
      },
    );
    out.push({
      staged: sidecar.staged,
      entry: {
        path: sidecar.path,
        kind: sidecar.kind,
        records: sidecar.records,
        bytes,
        sha256: await sha256File(full),
        runId,
      },
    });
  }
  return out;
}

/** Real path of a sidecar staged at `staged` (checked by {@link measureSidecars}) in run `runId`'s staging dir. */
export function stagedSidecarPath(root: string, runId: string, staged: string): string {
  return datasetPath(root, stagingRel(runId, staged));
}
