import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunningSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { duck, envFor, runMain, simulator, tempDir } from './helpers.js';

describe('quarantined records are committed with the run in _quarantine/<runId>.ndjson', () => {
  let sim: RunningSimulator | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
    for (const c of cleanups.splice(0)) await c();
  });

  it('each broken call is one line (reason, detail, masked record), listed in the manifest and the summary', async () => {
    sim = await simulator({ records: 80 });
    const broken = sim.ids().slice(10, 13);
    sim.updateCalls(broken, (log) => {
      log['id'] = null;
      log['note'] = 'token secret_key_0123456789abcdef leaked';
    });
    const dir = await tempDir('quarantine');
    cleanups.push(dir.remove);
    const out = join(dir.path, 'lake');
    const run = await runMain(['export', '--out', out, '--raw', '--json'], { env: envFor(sim) });
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as {
      runId: string;
      quarantined: number;
      quarantineFile: string;
      raw: string;
    };
    expect(summary.quarantined).toBe(3);
    expect(summary.quarantineFile).toBe(`_quarantine/${summary.runId}.ndjson`);
    const text = await readFile(join(out, summary.quarantineFile), 'utf8');
    const lines = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { reason: string; detail: string; record: Record<string, unknown> });
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      expect(line.reason).toBe('MISSING_ID');
      expect(line.detail).toBeTruthy();
      expect(line.record['note']).not.toContain('0123456789abcdef');
    }
    const manifest = JSON.parse(await readFile(join(out, '_manifest.json'), 'utf8')) as {
      sidecars: { path: string; kind: string; records: number }[];
    };
    expect(manifest.sidecars).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: summary.quarantineFile, kind: 'quarantine', records: 3 }),
        expect.objectContaining({ path: summary.raw, kind: 'raw', records: 80 }),
      ]),
    );
    // Never data: a glob over the tables does not see it; the calls are the 77 good ones.
    const [row] = await duck(`SELECT count(*) AS n FROM read_parquet('${out}/calls/**/*.parquet')`);
    expect(Number(row!['n'])).toBe(77);
    const [q] = await duck(`SELECT count(*) AS n FROM read_json_auto('${out}/${summary.quarantineFile}')`);
    expect(Number(q!['n'])).toBe(3);
  });
});
