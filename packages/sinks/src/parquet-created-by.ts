/**
 * The `created_by` string of every Parquet file this package writes. parquet-java (Spark, Hive,
 * Trino's Hive connector) parses it with `VersionParser` and, when it does not parse, ignores the
 * min/max statistics of every binary (string) column (`CorruptStatistics`): the earlier
 * `@omnidim-stream/sinks (hyparquet-writer 0.17.0)` had no ` version ` and so lost every string
 * statistic there (issue 17). The form is `<application> version <semver> (build <tag>)`.
 */
import { readFileSync } from 'node:fs';

interface PackageJson {
  version: string;
  dependencies: Record<string, string>;
}

// One level up from both src/ and dist/: the package's own manifest, so the string follows releases.
const PACKAGE = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as PackageJson;

/**
 * `omnidim-stream version <this package's version> (build hyparquet-writer-<its version>)`: the
 * build tag names the encoder, which is what a reader would need to know about a file's quirks.
 *
 * @example
 * PARQUET_CREATED_BY; // 'omnidim-stream version 0.1.0 (build hyparquet-writer-0.17.0)'
 */
export const PARQUET_CREATED_BY = `omnidim-stream version ${PACKAGE.version} (build hyparquet-writer-${PACKAGE.dependencies['hyparquet-writer']})`;
