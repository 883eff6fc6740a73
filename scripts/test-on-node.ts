/**
 * Runs `vitest run` on other Node majors, installed from the npm registry
 * (`npx --yes -p node@<major>`), and prints which version ran. `pnpm test` uses it for Node 22
 * and 24 at once (`22,24`) after the full suite on the machine's own Node (README "Development").
 *
 *   node --import tsx scripts/test-on-node.ts 24                      # nodeSubset() below
 *   node --import tsx scripts/test-on-node.ts 22,24                   # both at the same time
 *   node --import tsx scripts/test-on-node.ts 22 packages/core        # any vitest filters
 *
 * Several majors run concurrently (each vitest one fork, so two majors fill the two cores that
 * one major alone leaves half idle); each one's output is buffered and printed whole when it
 * ends, so the two logs do not interleave. Exit code: vitest's (the first non-zero one when
 * several run); 2 for bad usage or a Node that cannot be installed.
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const VITEST = join(ROOT, 'node_modules/vitest/vitest.mjs');

/**
 * What Node 22 and 24 run by default: every package's tests (discovered under `packages/*`, so a
 * new package is included): HTTP against the simulator on 127.0.0.1, streams and backpressure,
 * Parquet/CSV/NDJSON writers read back by DuckDB and hyparquet, time zones through that Node's
 * ICU; of the CLI (whose in-process tests are many and slow), the end-to-end exports in every
 * format with DuckDB read-back and the built binary; and the packed-tarball install (CLI from
 * `npm install -g`, `require(esm)`, compiled TypeScript consumers). Left to the machine's Node:
 * `test/e2e` (chaos), the examples and bench tests, the rest of the CLI, and the slow files in
 * `exclude`, whose subject is paging and reconciliation logic rather than any Node API.
 */
export function nodeSubset(): { include: string[]; exclude: string[] } {
  const packages = readdirSync(join(ROOT, 'packages'))
    .filter((dir) => dir !== 'cli' && existsSync(join(ROOT, 'packages', dir, 'package.json')))
    .map((dir) => `packages/${dir}/`);
  return {
    include: [
      ...packages.sort(),
      'packages/cli/test/export.formats-readback.test.ts',
      'packages/cli/test/bin.built-binary.test.ts',
      // V8's young generation differs by Node (24 grows it to 128 MB): the CLI's cap is checked on each.
      'packages/cli/test/young-generation.cap.test.ts',
      'test/install.packed-tarballs.test.ts',
    ],
    exclude: [
      '**/source.odd-records.test.ts',
      '**/source.drift-deletions.test.ts',
      '**/source.drift-faults.test.ts',
      '**/sinks.lazy-parquet.test.ts',
      // The commit's byte merge and serve-order drift: logic over files and pages (the merge's
      // Node APIs, zlib and file handles, run there in text-concat.refusals and parquet-concat).
      '**/commit.byte-merge.test.ts',
      '**/commit.byte-merge.hostile.test.ts',
      '**/export.drift-serve-order.test.ts',
    ],
  };
}

const USAGE = 'usage: test-on-node.ts <node major, e.g. 24, or majors e.g. 22,24> [vitest filters…]';

/** The binary and version `npx -p node@<spec>` installs (npm's cache after the first time). */
async function installNode(spec: string): Promise<{ execPath: string; version: string }> {
  const { stdout } = await promisify(execFile)(
    'npx',
    ['--yes', '-p', `node@${spec}`, 'node', '-p', 'JSON.stringify([process.execPath, process.version])'],
    { cwd: ROOT },
  );
  const [execPath, version] = JSON.parse(stdout) as [string, string];
  return { execPath, version };
}

/** What one major's run printed and how it ended; `code` 2 when that Node could not be installed. */
interface NodeRun {
  code: number;
  log: string;
}

/**
 * Installs one major and runs vitest with it. `write` receives the output as it comes (the
 * terminal when one major runs, a buffer when several do).
 */
async function runOnNode(
  major: string,
  vitestArgs: string[],
  write: (text: string) => void,
  env: NodeJS.ProcessEnv = {},
): Promise<number> {
  let node: { execPath: string; version: string };
  try {
    node = await installNode(major);
  } catch (error) {
    write(`[test-on-node] could not install node@${major} from the npm registry: ${String(error)}\n`);
    return 2;
  }
  if (!node.version.startsWith(`v${major}.`)) {
    write(`[test-on-node] asked for node@${major}, npx ran ${node.version}\n`);
    return 2;
  }
  write(`[test-on-node] Node ${node.version} (${node.execPath}): vitest run ${vitestArgs.join(' ')}\n`);
  const started = process.hrtime.bigint();
  // The Node directory goes first on PATH so that anything a test spawns as `node` is this one too.
  const child = spawn(node.execPath, [VITEST, 'run', ...vitestArgs], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      ...env,
      PATH: `${dirname(node.execPath)}${delimiter}${process.env['PATH'] ?? ''}`,
    },
  });
  child.stdout.setEncoding('utf8').on('data', write);
  child.stderr.setEncoding('utf8').on('data', write);
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  write(
    `[test-on-node] Node ${node.version}: vitest ${signal ? `killed by ${signal}` : `exited ${code}`} after ${seconds.toFixed(0)} s\n`,
  );
  return code ?? 1;
}

/** Runs every major at once, each buffered; prints each log whole as it ends, then one line per major. */
async function runConcurrently(majors: string[], vitestArgs: string[]): Promise<number> {
  console.log(
    `[test-on-node] Node ${majors.join(' and ')} at the same time; each log is printed whole when it ends`,
  );
  const runs = majors.map(async (major): Promise<NodeRun> => {
    const chunks: string[] = [];
    // One test file at a time per Node (vitest.config.ts): the majors side by side fill the cores.
    const code = await runOnNode(major, vitestArgs, (text) => chunks.push(text), {
      OMNIDIM_TEST_PARALLEL: '1',
    });
    const log = chunks.join('');
    process.stdout.write(
      `\n[test-on-node] ===== Node ${major}: output =====\n${log}[test-on-node] ===== Node ${major}: end (exit ${code}) =====\n`,
    );
    return { code, log };
  });
  const results = await Promise.all(runs);
  majors.forEach((major, i) => {
    const { code, log } = results[i]!;
    const version = /\[test-on-node\] Node (v[\d.]+) \(/.exec(log)?.[1] ?? `node@${major} (not installed)`;
    console.log(`[test-on-node] summary: Node ${version}: exit ${code}`);
  });
  return results.find((r) => r.code !== 0)?.code ?? 0;
}

async function main(args: readonly string[]): Promise<number> {
  const [spec, ...filters] = args;
  if (spec === undefined || !/^\d+(,\d+)*$/.test(spec)) {
    console.error(USAGE);
    return 2;
  }
  const majors = [...new Set(spec.split(','))];
  const subset = nodeSubset();
  const vitestArgs =
    filters.length > 0
      ? filters
      : [...subset.include, ...subset.exclude.flatMap((glob) => ['--exclude', glob])];
  if (majors.length === 1) return runOnNode(majors[0]!, vitestArgs, (text) => process.stdout.write(text));
  return runConcurrently(majors, vitestArgs);
}

process.exitCode = await main(process.argv.slice(2));
