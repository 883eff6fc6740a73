/**
 * How many CPUs this process may really use, and the default `workers` from it (issue 21). A
 * container's CPU quota (cgroup v2 `cpu.max`, v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us`) bounds
 * it below the host's core count that `os.availableParallelism()` may report.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Bounds of the `workers` option: 0 (all on the main thread) … a safety cap on threads. */
export const WORKER_LIMITS = { min: 0, max: 64 } as const;

/** Reads a cgroup file's text, or undefined when it is absent or unreadable. */
export type ReadCgroupFile = (path: string) => string | undefined;

const readQuiet: ReadCgroupFile = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

/**
 * The CPU quota as a CPU count (fractional: 1.5 for `150000 100000`), or undefined when no quota
 * is set (`max`) or no cgroup file can be read. cgroup v2's `cpu.max` wins over v1.
 *
 * @example
 * cpuQuota((p) => (p.endsWith('cpu.max') ? '200000 100000\n' : undefined)); // 2
 */
export function cpuQuota(read: ReadCgroupFile = readQuiet): number | undefined {
  const v2 = read('/sys/fs/cgroup/cpu.max');
  if (v2 !== undefined) {
    const [quota, period] = v2.trim().split(/\s+/);
    return quotaOf(quota, period ?? '100000');
  }
  const quota =
    read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us') ?? read('/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us');
  const period =
    read('/sys/fs/cgroup/cpu/cpu.cfs_period_us') ?? read('/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us');
  return quota === undefined || period === undefined ? undefined : quotaOf(quota.trim(), period.trim());
}

/** `max` or v1's `-1` is no quota; anything unparseable is treated as none too. */
function quotaOf(quota: string | undefined, period: string): number | undefined {
  const q = Number(quota);
  const p = Number(period);
  if (!Number.isFinite(q) || !Number.isFinite(p) || q <= 0 || p <= 0) return undefined;
  return q / p;
}

/** CPUs this process may use: the quota rounded up (at least 1), at most what the OS offers it. */
export function availableCpus(
  read: ReadCgroupFile = readQuiet,
  parallelism = availableParallelism(),
): number {
  const quota = cpuQuota(read);
  return quota === undefined ? parallelism : Math.max(1, Math.min(parallelism, Math.ceil(quota)));
}

/**
 * The default `workers` for `cpus` usable CPUs, chosen by measurement (README "--workers"): on 2
 * CPUs the workers bought no wall time and cost ~1.5–2.5× the process CPU (each worker writes its
 * own part files, so the commit's small-file merge re-encodes every partition on the main thread),
 * so 0 up to 2 CPUs. Above, one CPU stays with the main thread (paging, hand-back, fsyncs, commit)
 * and the others get a worker each, capped at 8.
 */
export function defaultWorkers(cpus: number = availableCpus()): number {
  return cpus <= 2 ? 0 : Math.min(cpus - 1, 8);
}
