import { isAbsolute, resolve } from 'node:path';
import { type CompactLakeResult, compactLake } from '@omnidim-stream/engine';
import { isS3Url, PARTITION_GRAINS } from '@omnidim-stream/sinks';
import { UsageError } from '../exit-codes.js';
import { EXPORT_DEFAULTS } from '../export-options.js';
import { byteSize, oneOf, optionalString, single } from '../flag-values.js';
import type { CliIo } from '../io.js';
import { type OutputTarget, objectStoreOptions, outputTarget } from '../object-store-flags.js';
import { withFlagName } from '../option-flags.js';

/** `compact`'s flags, validated (a bad value is a {@link UsageError} naming the flag). */
export interface CompactFlags {
  /** An absolute directory, or `s3://bucket/prefix` with how to reach it. */
  target: OutputTarget;
  partitionBy: (typeof PARTITION_GRAINS)[number] | undefined;
  targetFileSize: number;
  /** The state file whose recorded grain follows the lake (`--state`, default `<out>/_state.json`). */
  stateFile: string;
  json: boolean;
}

/** Validates `compact`'s flags, before anything is read. */
export function resolveCompactFlags(argv: Record<string, unknown>, cwd: string): CompactFlags {
  const out = optionalString(argv, 'out');
  if (out === undefined || out === '') throw new UsageError('--out: required (the dataset directory)');
  const target = outputTarget(argv, out, cwd);
  const stateRaw = single(argv, 'state');
  const stateText = typeof stateRaw === 'string' ? stateRaw.trim() : '';
  return {
    target,
    partitionBy: oneOf(argv, 'partition-by', PARTITION_GRAINS),
    targetFileSize: byteSize(argv, 'target-file-size', EXPORT_DEFAULTS.targetFileSize, 1024 * 1024),
    stateFile: stateFileOf(target.outDir, stateText, cwd),
    json: argv['json'] === true,
  };
}

/**
 * `--state`, or the default beside the data. On a bucket the state is an object beside the data
 * (the engine refuses any other place: a container has no disk between runs).
 */
function stateFileOf(outDir: string, stateText: string, cwd: string): string {
  if (isS3Url(outDir)) return stateText === '' ? `${outDir}/${EXPORT_DEFAULTS.stateName}` : stateText;
  if (stateText === '') return resolve(outDir, EXPORT_DEFAULTS.stateName);
  return isAbsolute(stateText) ? stateText : resolve(cwd, stateText);
}

/**
 * `omnidim-stream compact --out lake [--partition-by month] [--target-file-size 128MiB]`: the
 * engine's `compactLake()`; prints its result (`--json`: one object on stdout; else one line on
 * stderr). Exit 0 only when the rewritten lake was committed with the same rows and call ids.
 */
export async function runCompact(
  flags: CompactFlags,
  io: CliIo,
  signal: AbortSignal,
): Promise<CompactLakeResult> {
  try {
    const result = await compactLake({
      outDir: flags.target.outDir,
      ...objectStoreOptions(flags.target),
      targetFileSize: flags.targetFileSize,
      stateFile: flags.stateFile,
      signal,
      ...(flags.partitionBy === undefined ? {} : { partitionBy: flags.partitionBy }),
    });
    if (flags.json) io.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      io.stderr.write(
        `Compacted ${flags.target.outDir} (${result.from} → ${result.to}): ${result.filesBefore} → ${result.filesAfter} data files, same rows and call ids\n`,
      );
    }
    return result;
  } catch (error) {
    throw withFlagName(error);
  }
}
