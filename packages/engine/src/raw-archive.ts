/** The folder of the dataset that `--raw` writes to. */
export const RAW_DIR = 'raw';

/**
 * `export --raw` keeps every call log as received, one JSON line each, gzip-compressed, so a
 * later `convert` can rebuild the tables (e.g. with a new schema version) without calling the
 * API. By default each call log gets the tables' redaction first (`redactCallLog`: secret
 * tokens masked, `--redact-*` actions); `--raw-unredacted` keeps them verbatim (issue 13). The archive is a sidecar of the run (see `StagedLog`): written in the run's staging
 * dir, committed by the same journal as the tables, listed in `_manifest.json`. This is its
 * final path, relative to the dataset root.
 *
 * @example
 * ```ts
 * rawArchivePath('20260504T144615Z-1a2b3c'); // 'raw/calls-20260504T144615Z-1a2b3c.ndjson.gz'
 * ```
 */
export function rawArchivePath(runId: string): string {
  return `${RAW_DIR}/calls-${runId}.ndjson.gz`;
}

/** The folder of the dataset that quarantined records go to (`_`: never data). */
export const QUARANTINE_DIR = '_quarantine';

/**
 * Where a run's quarantined records are committed, relative to the dataset root: one NDJSON line
 * per record `{ reason, detail, record }`, secrets masked by the transform.
 *
 * @example
 * ```ts
 * quarantinePath('run-1'); // '_quarantine/run-1.ndjson'
 * ```
 */
export function quarantinePath(runId: string): string {
  return `${QUARANTINE_DIR}/${runId}.ndjson`;
}
