/** Command-line flags shared by every bench script. */

export interface BenchArgs {
  /** Smoke run: small sizes, one repetition; figures are not meaningful. */
  quick: boolean;
  /** Write V8 CPU profiles of the export cases into this directory (`--cpu-prof`). */
  profileDir: string | undefined;
  /**
   * Where run-all writes the generated part (goal table + output): `--write=PATH`; default
   * BENCHMARKS.md for a full run and a temp file for `--quick` (smoke figures never land in the
   * real document).
   */
  writePath: string | undefined;
  /**
   * Runs of each timed case per goal (`--repeat=N`); a goal's figure is the median of them
   * (repeat.ts). Default 3 for a full run (single runs flipped verdicts on this shared machine),
   * 1 for `--quick`.
   */
  repeats: number;
}

/**
 * Parses `--quick`, `--profile[=DIR]`, `--write=PATH` and `--repeat=N` from `argv`; anything else
 * is an error.
 *
 * @example
 * const { quick } = parseBenchArgs(process.argv.slice(2));
 */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  let quick = false;
  let profileDir: string | undefined;
  let writePath: string | undefined;
  let repeats: number | undefined;
  for (const arg of argv) {
    if (arg === '--quick') quick = true;
    else if (arg === '--profile') profileDir = 'bench-profiles';
    else if (arg.startsWith('--profile=')) profileDir = arg.slice('--profile='.length);
    else if (arg.startsWith('--write=') && arg.length > '--write='.length)
      writePath = arg.slice('--write='.length);
    else if (arg.startsWith('--repeat=')) repeats = repeatCount(arg.slice('--repeat='.length));
    else
      throw new Error(
        `unknown argument ${arg} (expected --quick, --profile[=DIR], --write=PATH or --repeat=N)`,
      );
  }
  return { quick, profileDir, writePath, repeats: repeats ?? (quick ? 1 : 3) };
}

/** `--repeat=N`: a whole number from 1 to 9 (odd counts give a run that is the median). */
function repeatCount(text: string): number {
  const n = Number(text);
  if (!/^[1-9]$/.test(text) || !Number.isInteger(n))
    throw new Error(`--repeat must be a whole number from 1 to 9, got ${JSON.stringify(text)}`);
  return n;
}

/**
 * The value after `--name` on the command line of a standalone bench script, or `fallback`.
 *
 * @example
 * const rounds = Number(flagValue('rounds', '15'));
 */
export function flagValue(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? (process.argv[i + 1] as string) : fallback;
}
