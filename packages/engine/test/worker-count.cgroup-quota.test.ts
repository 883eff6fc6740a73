/**
 * Issue 21: the default `workers` comes from the CPUs this process may really use. The quota
 * parser reads cgroup fixture files (v2 `cpu.max`, v1 `cpu.cfs_quota_us`/`cpu.cfs_period_us`)
 * mapped onto the paths it asks for; and a bad `workers` fails before any request, naming it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { availableCpus, cpuQuota, defaultWorkers, exportCallLogs } from '../src/index.js';
import { engineScope } from './helpers.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'cgroup');

/** A cgroup reader over one fixture dir: v2 files at /sys/fs/cgroup, v1 at /sys/fs/cgroup/cpu. */
function fixture(name: string) {
  return (path: string): string | undefined => {
    const file = path.startsWith('/sys/fs/cgroup/cpu/')
      ? path.slice('/sys/fs/cgroup/cpu/'.length)
      : undefined;
    const v2 = path === '/sys/fs/cgroup/cpu.max' ? 'cpu.max' : undefined;
    try {
      return readFileSync(join(FIXTURES, name, (file ?? v2)!), 'utf8');
    } catch {
      return undefined;
    }
  };
}

describe('CPU quota from cgroup files', () => {
  it.each([
    ['v2-quota', 2],
    ['v2-fraction', 1.5],
    ['v2-max', undefined],
    ['v1-quota', 3],
    ['v1-unlimited', undefined],
    ['none', undefined],
  ])('%s → %s CPUs', (name, cpus) => {
    expect(cpuQuota(fixture(name))).toBe(cpus);
  });

  it('the quota bounds the host CPUs (rounded up), never above them', () => {
    expect(availableCpus(fixture('v2-quota'), 16)).toBe(2);
    expect(availableCpus(fixture('v2-fraction'), 16)).toBe(2);
    expect(availableCpus(fixture('v1-quota'), 2)).toBe(2);
    expect(availableCpus(fixture('v2-max'), 16)).toBe(16);
    expect(availableCpus(fixture('none'), 4)).toBe(4);
  });

  it('default workers: none up to 2 CPUs (measured), then one per CPU but the main thread, at most 8', () => {
    expect(defaultWorkers(1)).toBe(0);
    expect(defaultWorkers(2)).toBe(0);
    expect(defaultWorkers(3)).toBe(2);
    expect(defaultWorkers(16)).toBe(8);
  });
});

describe('workers option', () => {
  const scope = engineScope();
  it.each([[-1], [1.5], [65], ['2']])(
    '%j is INVALID_OPTION naming workers, before any request',
    async (bad) => {
      const sim = await scope.start({ records: 10 });
      const run = exportCallLogs({
        apiKey: sim.apiKey,
        baseUrl: sim.url,
        outDir: await scope.lake(),
        workers: bad as number,
      });
      await expect(run).rejects.toMatchObject({ code: 'INVALID_OPTION', option: 'workers' });
      expect(sim.stats.requests).toBe(0);
    },
  );
});
