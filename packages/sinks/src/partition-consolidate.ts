/**
 * The byte path of the commit's small-file merge (issue 21): a partition's small part files of
 * this run, with no lake file to merge them with, are joined by copying their bytes
 * (byte-concat.ts) instead of decoding and re-encoding every row (partition-rewrite.ts keeps that
 * path for merge-on-write and for formats without a byte-concatenator). Consecutive files, in the
 * order the run wrote them, are grouped up to the part-file limits, so each output stays near the
 * target size; a group of one file is left as it is. Sources are read where they are: from disk,
 * or (streamed part files of an `s3://` run) by ranged GETs from the bucket (lake-files.ts).
 */
import type { ByteConcatenator, CountedSource } from './byte-source.js';
import type { StagedFileInfo } from './dataset-checkpoint.js';
import { stagedPartRel } from './dataset-layout.js';
import { SinkError } from './errors.js';
import { type LakeFile, openLakeFile } from './lake-files.js';
import type { StagedParts } from './staged-parts.js';

/** What a byte merge needs to know about the run. */
export interface ByteMergeInput {
  root: string;
  runId: string;
  parts: StagedParts;
  concat: ByteConcatenator;
}

/**
 * Merges the small staged files `files` (one table and partition) into files near the target
 * size; returns the files whose bytes were merged (the caller drops them after the next sync).
 *
 * @example
 * consumed.push(...(await mergeFileBytes(input, small)));
 */
export async function mergeFileBytes(
  input: ByteMergeInput,
  files: readonly StagedFileInfo[],
): Promise<StagedFileInfo[]> {
  const consumed: StagedFileInfo[] = [];
  for (const group of groupsOf(input, inRunOrder(files))) {
    if (group.length < 2) continue;
    await mergeGroup(input, group);
    consumed.push(...group);
  }
  return consumed;
}

/**
 * The files in the order the run opened them (the sequence number ending each name), not the order
 * closes finished. Read from the end of the name: files adopted from a crashed run carry that
 * run's id, whose length may differ from this one's (a caller's `runId`).
 */
function inRunOrder(files: readonly StagedFileInfo[]): StagedFileInfo[] {
  const seq = (f: StagedFileInfo) => Number(/-(\d+)\.[^-]*$/.exec(f.name)?.[1] ?? Number.MAX_SAFE_INTEGER);
  return [...files].sort((a, b) => seq(a) - seq(b));
}

/** Consecutive files whose rows and bytes together stay within one part file's limits. */
function groupsOf(input: ByteMergeInput, files: readonly StagedFileInfo[]): StagedFileInfo[][] {
  const { rowsPerFile, bytesPerFile } = input.parts.limits;
  const groups: StagedFileInfo[][] = [];
  let group: StagedFileInfo[] = [];
  let rows = 0;
  let bytes = 0;
  for (const file of files) {
    if (group.length > 0 && (rows + file.rows > rowsPerFile || bytes + file.bytes > bytesPerFile)) {
      groups.push(group);
      group = [];
      rows = 0;
      bytes = 0;
    }
    group.push(file);
    rows += file.rows;
    bytes += file.bytes;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/** Stages one file of the group's bytes; throws unless it holds exactly the group's rows. */
async function mergeGroup(input: ByteMergeInput, group: readonly StagedFileInfo[]): Promise<void> {
  const first = group[0]!;
  const opened: LakeFile[] = [];
  try {
    const sources: CountedSource[] = [];
    for (const file of group) {
      const lakeFile = await openLakeFile(input.root, stagedPartRel(input.runId, file));
      opened.push(lakeFile);
      sources.push(sourceOf(lakeFile, file));
    }
    const merged = await input.parts.stageBytes(first.table, first.partition, first.date, (write) =>
      input.concat(sources, write),
    );
    const expected = group.reduce((sum, f) => sum + f.rows, 0);
    if (merged.rows !== expected) {
      throw new SinkError(
        `Merging ${group.length} part files of ${first.table}/${first.partition} gave ${merged.rows} rows, not ${expected}; nothing was committed`,
      );
    }
  } finally {
    await Promise.all(opened.map((f) => f.close()));
  }
}

/** A staged file as a byte source; throws if its size is not what its writer recorded. */
function sourceOf(file: LakeFile, info: StagedFileInfo): CountedSource {
  if (file.byteLength !== info.bytes) {
    throw new SinkError(
      `${info.table}/${info.partition}/${info.name} holds ${file.byteLength} bytes but ${info.bytes} were written; nothing was committed`,
    );
  }
  return {
    size: file.byteLength,
    rows: info.rows,
    read: async (start, end) => new Uint8Array(await file.slice(start, end)),
  };
}
