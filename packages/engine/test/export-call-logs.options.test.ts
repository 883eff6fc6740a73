import { access } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { type ExportCallLogsOptions, exportCallLogs } from '../src/index.js';
import { engineScope } from './helpers.js';

describe('exportCallLogs: options are validated once, before any request or write', () => {
  const scope = engineScope();
  const cases: [string, Partial<ExportCallLogsOptions>, string][] = [
    ['pageSize 0 (checked by core)', { pageSize: 0 }, 'pageSize'],
    ['an unreadable since', { since: 'yesterday' }, 'since'],
    ['since after until', { since: '2026-05-02', until: '2026-05-01' }, 'since'],
    ['an unknown table', { tables: ['calls', 'nope' as 'calls'] }, 'tables'],
    ['an unknown zone', { timeZone: 'Mars/Olympus' }, 'timeZone'],
    ['a stage that is not a function', { stage: 42 as unknown as ExportCallLogsOptions['stage'] }, 'stage'],
    ['rawUnredacted without raw', { rawUnredacted: true }, 'rawUnredacted'],
    [
      'incremental with a window',
      { incremental: { stateFile: '/tmp/never.json', lookbackMs: 0 }, since: '2026-01-01' },
      'incremental',
    ],
  ];
  for (const [name, bad, option] of cases) {
    it(`${name}: INVALID_OPTION naming "${option}", no request, nothing written`, async () => {
      const sim = await scope.start({ records: 10 });
      const lake = await scope.lake();
      const run = exportCallLogs({ apiKey: sim.apiKey, baseUrl: sim.url, outDir: lake, ...bad });
      await expect(run).rejects.toMatchObject({ code: 'INVALID_OPTION', option });
      expect(sim.stats.requests).toBe(0);
      await expect(access(lake)).rejects.toMatchObject({ code: 'ENOENT' });
    });
  }

  it('the API key never appears in an option error', async () => {
    const sim = await scope.start({ records: 10 });
    const error = await exportCallLogs({
      apiKey: sim.apiKey,
      baseUrl: 'http://user:pw@example.com/api/v1',
      outDir: await scope.lake(),
    }).then(
      () => new Error('resolved'),
      (e: unknown) => e as Error,
    );
    expect(error).toMatchObject({ code: 'INVALID_OPTION', option: 'baseUrl' });
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain(sim.apiKey);
  });
});
