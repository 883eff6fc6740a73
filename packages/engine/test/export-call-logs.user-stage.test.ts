import { describe, expect, it } from 'vitest';
import { exportCallLogs } from '../src/index.js';
import { callsOf, duck, engineScope } from './helpers.js';

describe('exportCallLogs: the user stage between flatten and the sink', () => {
  const scope = engineScope();

  it('drops and rewrites rows; the quarantine and completeness still apply', async () => {
    const sim = await scope.start({ records: 120, seed: 4, oddRecords: { rate: 0.1, shapes: ['no-id'] } });
    const lake = await scope.lake();
    const seen: number[] = [];
    const result = await exportCallLogs({
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      outDir: lake,
      tables: ['calls'],
      pageSize: 25,
      stage: async (row) => {
        const call = row.tables.calls[0]!;
        seen.push(Number(call['id']));
        if (Number(call['id']) % 2 === 1) return null; // odd ids dropped
        call['bot_name'] = 'renamed by the stage';
        return row;
      },
    });
    const quarantined = result.quarantined;
    expect(quarantined).toBeGreaterThan(0);
    expect(seen).toHaveLength(120 - quarantined);
    const rows = await duck(`SELECT id, bot_name FROM ${callsOf(lake)} ORDER BY id DESC`);
    const even = seen.filter((id) => id % 2 === 0).sort((a, b) => b - a);
    expect(rows.map((r) => Number(r['id']))).toEqual(even);
    expect(new Set(rows.map((r) => r['bot_name']))).toEqual(new Set(['renamed by the stage']));
    expect(result.completeness).toMatchObject({ ended: true, missing: 0, expected: 120, quarantined });
  });

  it('a stage that throws fails the run and commits nothing', async () => {
    const sim = await scope.start({ records: 50, seed: 4 });
    const lake = await scope.lake();
    const run = exportCallLogs({
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      outDir: lake,
      stage: () => {
        throw new Error('stage broke');
      },
    });
    await expect(run).rejects.toThrow('stage broke');
    await expect(duck(`SELECT count(*) FROM ${callsOf(lake)}`)).rejects.toThrow();
  });
});
