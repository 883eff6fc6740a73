/**
 * The pipeline's checkpoints: the {@link CheckpointMark} a record source yields, the state the
 * pipeline stores with the sink's checkpoint, and the request made at a mark (both the main-thread
 * and the worker-thread paths make it the same way).
 */
import { type CheckpointRequest, checkpointRequest, type StagedSidecarInfo } from '@omnidim-stream/sinks';
import type { StagedLog } from './staged-log.js';

/**
 * Yielded by a pipeline's record source between call logs: "everything before me may be
 * checkpointed, and `state` is what a resumed run needs to continue after it". The pipeline turns
 * it into the sink's checkpoint request, in order with the data (no barrier needed).
 */
export class CheckpointMark {
  constructor(readonly state: unknown) {}
}

/** What the pipeline stores in the sink's checkpoint besides the caller's state. */
export interface PipelineCheckpointState {
  fingerprint: string;
  caller: unknown;
  quarantined: number;
  rawRecords: number;
  /** Call logs that reached the transform before the mark (the base of a quarantine share). */
  records: number;
}

/**
 * A checkpoint read back from disk is input, not trusted state: its pipeline part is checked here
 * (the sink adopted it only because its fingerprint matched, but a forged or older file may still
 * lack a field), so no cast stands between the file and the counts a resumed run starts from.
 */
export function pipelineStateOf(state: unknown): PipelineCheckpointState | undefined {
  if (typeof state !== 'object' || state === null) return undefined;
  const s = state as Record<string, unknown>;
  const count = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
  if (typeof s['fingerprint'] !== 'string' || !count(s['quarantined']) || !count(s['rawRecords'])) {
    return undefined;
  }
  // A checkpoint of an earlier version has no `records`: its quarantined records are a floor.
  const records = count(s['records']) ? s['records'] : s['quarantined'];
  return {
    fingerprint: s['fingerprint'],
    caller: s['caller'],
    quarantined: s['quarantined'],
    rawRecords: s['rawRecords'],
    records,
  };
}

export const QUARANTINE_STAGED = '_sidecars/quarantine.ndjson';
export const RAW_STAGED = '_sidecars/raw.ndjson.gz';

/** Where the run stands at a mark: what {@link checkpointAt} records. */
export interface MarkPosition {
  fingerprint: string;
  /** Call logs that reached the transform before the mark. */
  records: number;
  quarantine: StagedLog;
  raw: StagedLog | undefined;
}

/**
 * The sink's checkpoint request at `mark`. The sidecars are written upstream of the sink: flushed
 * and fsync'd now, they hold exactly the records before the mark, which is where the sink will
 * checkpoint the rows.
 */
export async function checkpointAt(mark: CheckpointMark, at: MarkPosition): Promise<CheckpointRequest> {
  const files: StagedSidecarInfo[] = [];
  const q = await at.quarantine.checkpoint();
  if (q !== undefined) files.push({ staged: QUARANTINE_STAGED, bytes: q });
  const r = await at.raw?.checkpoint();
  if (r !== undefined) files.push({ staged: RAW_STAGED, bytes: r });
  const state: PipelineCheckpointState = {
    fingerprint: at.fingerprint,
    caller: mark.state,
    quarantined: at.quarantine.records,
    rawRecords: at.raw?.records ?? 0,
    records: at.records,
  };
  return checkpointRequest(state, files);
}
