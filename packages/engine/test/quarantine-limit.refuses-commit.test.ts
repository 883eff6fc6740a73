/**
 * `maxQuarantined` (issue 19): past the limit a run fails with code INCOMPLETE and commits
 * nothing (the previous lake is byte-for-byte intact); at the limit it commits. The broken
 * records come from the simulator's odd shapes (`no-id`, `not-an-object`), counted by the
 * simulator itself, not by the engine under test.
 */
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BROKEN_ODD_SHAPES } from '@omnidim-stream/simulator';
import { describe, expect, it } from 'vitest';
import { convertCallLogs, exportCallLogs } from '../src/index.js';
import { callsOf, duck, engineScope } from './helpers.js';

describe('maxQuarantined refuses a run with too many broken records', () => {
  const scope = engineScope();

  async function brokenApi() {
    const sim = await scope.start({
      records: 120,
      oddRecords: { rate: 0.1, shapes: [...BROKEN_ODD_SHAPES] },
    });
    const broken = sim.oddShapes().size;
    expect(broken).toBeGreaterThan(2);
    return { sim, broken };
  }

  it('one over the count: INCOMPLETE, nothing committed; at the count: committed', async () => {
    const { sim, broken } = await brokenApi();
    const lake = await scope.lake();
    const options = { apiKey: sim.apiKey, baseUrl: sim.url, outDir: lake };
    await expect(exportCallLogs({ ...options, maxQuarantined: broken - 1 })).rejects.toMatchObject({
      code: 'INCOMPLETE',
      quarantined: broken,
    });
    await expect(access(join(lake, '_manifest.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    const result = await exportCallLogs({ ...options, maxQuarantined: broken });
    expect(result.quarantined).toBe(broken);
    const [row] = await duck(`SELECT count(*) AS n FROM ${callsOf(lake)}`);
    expect(Number(row?.['n'])).toBe(120 - broken);
  });

  it('a share: past it the previous lake stays byte-for-byte; a larger share commits', async () => {
    const { sim, broken } = await brokenApi();
    const lake = await scope.lake();
    const options = { apiKey: sim.apiKey, baseUrl: sim.url, outDir: lake };
    await exportCallLogs({ ...options, maxQuarantined: '100%' });
    const manifest = await readFile(join(lake, '_manifest.json'));
    const share = (broken / 120) * 100;
    const under = `${Math.floor(share * 10) / 10 - 0.1}%` as const;
    await expect(exportCallLogs({ ...options, maxQuarantined: under as `${number}%` })).rejects.toMatchObject(
      { code: 'INCOMPLETE' },
    );
    expect(await readFile(join(lake, '_manifest.json'))).toEqual(manifest);
    await exportCallLogs({ ...options, maxQuarantined: `${Math.ceil(share)}%` as `${number}%` });
  });

  it('convertCallLogs enforces it too', async () => {
    const lake = await scope.lake();
    const input = `${lake}.ndjson`;
    await writeFile(input, ['{"id":1,"time_of_call":"05/01/2026 10:00:00"}', 'null', '"x"'].join('\n'));
    await expect(convertCallLogs({ input, outDir: lake, maxQuarantined: 1 })).rejects.toMatchObject({
      code: 'INCOMPLETE',
      quarantined: 2,
    });
    await expect(access(join(lake, '_manifest.json'))).rejects.toMatchObject({ code: 'ENOENT' });
    const result = await convertCallLogs({ input, outDir: lake, maxQuarantined: '67%' });
    expect(result.quarantined).toBe(2);
  });

  it.each([[-1], [1.5], ['5'], ['101%'], ['x%']])(
    '%j is INVALID_OPTION naming maxQuarantined, no request',
    async (bad) => {
      const sim = await scope.start({ records: 10 });
      const run = exportCallLogs({
        apiKey: sim.apiKey,
        baseUrl: sim.url,
        outDir: await scope.lake(),
        maxQuarantined: bad as number,
      });
      await expect(run).rejects.toMatchObject({ code: 'INVALID_OPTION', option: 'maxQuarantined' });
      expect(sim.stats.requests).toBe(0);
    },
  );
});
