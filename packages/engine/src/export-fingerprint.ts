import { createHash } from 'node:crypto';
import { filtersFingerprint } from '@omnidim-stream/core';
import type { ResolvedExportOptions } from './export-options.js';
import type { RunPlan } from './incremental.js';

/**
 * The options that decide what a run writes, hashed: a crashed run's checkpoint is resumed only
 * by the same run (same source, filters, window, format, redaction, and for incremental runs
 * the same state). Concurrency, events and the user stage (a function) don't count; neither the
 * API key nor the hash key is ever included.
 *
 * @example
 * ```ts
 * fingerprintOf(resolveExportCallLogsOptions({ apiKey, outDir: 'lake' }), plan); // 64 hex digits
 * ```
 */
export function fingerprintOf(options: ResolvedExportOptions, plan: RunPlan): string {
  const material = {
    command: 'export',
    baseUrl: options.baseUrl ?? null,
    format: options.format,
    compression: options.compression ?? null,
    tables: [...options.tables].sort(),
    timeZone: options.timeZone,
    redact: options.redact,
    // Only when not the default, so checkpoints written before the option existed still match.
    ...(options.transform.payloadConversation === 'keep' ? { payloadConversation: 'keep' } : {}),
    filters: filtersFingerprint(options.filters),
    pageSize: options.pageSize,
    window: options.window,
    maxRecords: options.maxRecords ?? null,
    raw: options.raw,
    rawUnredacted: options.rawUnredacted,
    rowsPerFile: options.rowsPerFile ?? null,
    // A checkpoint's staged files are in its grain's partitions: another grain must not adopt them.
    partitionBy: options.partitionBy,
    targetFileSize: options.targetFileSize,
    csvFormulaGuard: options.csvFormulaGuard,
    plan: plan.kind,
    cutoff: plan.cutoff ?? null,
    stateRun: plan.previous?.lastRunId ?? null,
  };
  return createHash('sha256').update(JSON.stringify(material)).digest('hex');
}
