/** Command-line flags shared by every bench script. */

export interface BenchArgs {
  /** Smoke run: small sizes, one repetition; figures are not meaningful. */
  quick: boolean;
  /** Write V8 CPU profiles of the export cases into this directory (`--cpu-prof`). */
  profileDir: string | undefined;
}

/**
 * Parses `--quick` and `--profile[=DIR]` from `argv`; anything else is an error.
 *
 * @example
 * const { quick } = parseBenchArgs(process.argv.slice(2));
 */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  let quick = false;
  let profileDir: string | undefined;
  for (const arg of argv) {
    if (arg === '--quick') quick = true;
    else if (arg === '--profile') profileDir = 'bench-profiles';
    else if (arg.startsWith('--profile=')) profileDir = arg.slice('--profile='.length);
    else throw new Error(`unknown argument ${arg} (expected --quick or --profile[=DIR])`);
  }
  return { quick, profileDir };
}
