/**
 * A lake keeps the grain it was created with (issue 16): a run with another `partitionBy` on an
 * existing lake would leave `date=` and `month=` directories side by side, and readers would
 * count calls twice. Refused as a usage error (exit 2) naming the option and pointing at compact.
 */
import { InvalidOptionError } from '@omnidim-stream/core';
import { type DatasetManifest, manifestGrain } from './manifest.js';
import type { PartitionGrain } from './partition.js';

/** Throws when `manifest` (the committed lake, if any) has another grain than `grain`. */
export function refuseOtherGrain(manifest: DatasetManifest | undefined, grain: PartitionGrain): void {
  if (manifest === undefined) return;
  const lake = manifestGrain(manifest);
  if (lake === grain) return;
  throw new InvalidOptionError(
    'partitionBy',
    `${lake}, the grain this lake was created with (change it with \`omnidim-stream compact --partition-by ${grain}\`)`,
    grain,
  );
}
