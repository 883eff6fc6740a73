/**
 * Issue 21: with `shallowRecords` core scans pages instead of parsing them and hands on stubs
 * (`{ id, time_of_call }`, only the keys a call has). Paging, drift, dedupe, retries and
 * checkpoints work on ids, so the source must hand on the same rows, in the same order, as
 * without the option: checked against a second, identical simulator read without it (odd
 * records of every shape, drift, faults including cut bodies, HTML and error-shaped 200s), with
 * `materializeRecord(stub)` equal to the call log the full parse gave.
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RunningSimulator, type SimulatorOptions, startSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { idOf } from '../src/call-id.js';
import { completeness } from '../src/completeness.js';
import { InvalidOptionError } from '../src/errors.js';
import { paginateCallLogs } from '../src/paginate.js';
import { materializeRecord, recordSourceOf } from '../src/record-source.js';
import { fakeSleep } from './helpers.js';

const sims: RunningSimulator[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

async function read(options: SimulatorOptions, shallow: boolean, concurrency: number) {
  const sim = await startSimulator(options);
  sims.push(sim);
  const start = sim.ids();
  const retries: string[] = [];
  const calls = paginateCallLogs({
    apiKey: sim.apiKey,
    baseUrl: sim.url,
    pageSize: 25,
    concurrency,
    retry: { limit: 10, limit500: 10 },
    sleep: fakeSleep().sleep,
    onRetry: (event) =>
      retries.push(
        `${event.page} ${event.code} ${event.status} ${event.message}`.replace(/127\.0\.0\.1:\d+/g, 'sim'),
      ),
    ...(shallow ? { shallowRecords: true } : {}),
  });
  const rows: unknown[] = [];
  for await (const row of calls) rows.push(row);
  return { rows, start, retries, stats: calls.stats };
}

const CASES: [string, SimulatorOptions][] = [
  [
    'odd records of every shape',
    { records: 300, seed: 11, oddRecords: { rate: 0.3, hugeTranscriptBytes: 2_000 } },
  ],
  [
    'odd records, drift (inserts and deletions)',
    {
      records: 300,
      seed: 12,
      oddRecords: { rate: 0.2, hugeTranscriptBytes: 500 },
      drift: { insertPerPage: 3, deletePerPage: 1, maxInserted: 40 },
    },
  ],
  [
    'faults: cut bodies, HTML and error-shaped 200s, 500s',
    {
      records: 250,
      seed: 13,
      faults: { rate: 0.3, kinds: ['truncate', 'html200', 'error200', '500', '429'] },
    },
  ],
];

describe('shallowRecords: the same rows as a full parse', () => {
  it.each(CASES)(
    '%s: same ids in the same order, stubs that materialise to the parsed call log',
    async (_, options) => {
      const full = await read(options, false, 1);
      const shallow = await read(options, true, 1);
      expect(shallow.rows.map(idOf)).toEqual(full.rows.map(idOf));
      // The same failures, with the same messages (a cut body is still "not valid JSON", and so on).
      expect(shallow.retries).toEqual(full.retries);
      expect(completeness(shallow.stats).missing).toBe(0);
      let stubs = 0;
      shallow.rows.forEach((row, i) => {
        expect(materializeRecord(row)).toStrictEqual(full.rows[i]);
        const isObject = typeof row === 'object' && row !== null && !Array.isArray(row);
        if (!isObject) return;
        stubs++;
        expect(Object.keys(row).every((k) => k === 'id' || k === 'time_of_call')).toBe(true);
        const whole = full.rows[i] as Record<string, unknown>;
        expect(row).toStrictEqual({
          ...(Object.hasOwn(whole, 'id') ? { id: whole['id'] } : {}),
          ...(Object.hasOwn(whole, 'time_of_call') ? { time_of_call: whole['time_of_call'] } : {}),
        });
        const source = recordSourceOf(row);
        const page = JSON.parse(Buffer.from(source!.body).toString('utf8')) as { call_log_data: unknown[] };
        expect(page.call_log_data[source!.index]).toStrictEqual(whole);
        expect(page.call_log_data).toHaveLength(source!.count);
      });
      expect(stubs).toBeGreaterThan(200);
    },
    60_000,
  );

  it('at concurrency 4 with drift: every id the simulator served once, none lost', async () => {
    const options = { records: 600, seed: 14, drift: { insertPerPage: 2, maxInserted: 20 } };
    const shallow = await read(options, true, 4);
    const ids = shallow.rows.map((r) => Number(idOf(r)));
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of shallow.start) expect(ids).toContain(id);
    expect(completeness(shallow.stats)).toMatchObject({ missing: 0 });
  }, 60_000);

  it('refuses bad 200 bodies with the same errors as a full parse (HTML typed as JSON, cut, not an object, bad UTF-8 outside strings)', async () => {
    const answers = [
      ' \n\u00a0<html>login</html>',
      '{"status":"success","total_records":2,"call_log_data":[{"id":2,"x":"\u00e9',
      '[{"total_records":2,"call_log_data":[]}]',
      '\ufeff{"total_records":2,"call_log_data":[]}',
      '{"total_records":"x","call_log_data":[]}',
      '{"total_records":2,"call_log_data":{"id":1}}',
      '{"success":false,"message":"no","total_records":2,"call_log_data":[]}',
      '{"total_records":2,"call_log_data":[{"id":2,"t":"é"},{"id":1}]}',
    ];
    const runs = [];
    for (const shallow of [false, true]) {
      let served = 0;
      const server = createServer((req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        if (!req.url?.includes('pageno=1&')) res.end('{"total_records":2,"call_log_data":[]}');
        else res.end(answers[Math.min(served++, answers.length - 1)]);
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const { port } = server.address() as AddressInfo;
      const retries: string[] = [];
      const rows: unknown[] = [];
      try {
        const calls = paginateCallLogs({
          apiKey: 'k',
          baseUrl: `http://127.0.0.1:${port}/api/v1`,
          pageSize: 2,
          concurrency: 1,
          retry: { limit: 10 },
          sleep: fakeSleep().sleep,
          onRetry: (e) => retries.push(`${e.code} ${e.message}`.replace(/127\.0\.0\.1:\d+/g, 'server')),
          ...(shallow ? { shallowRecords: true } : {}),
        });
        for await (const row of calls) rows.push(materializeRecord(row));
      } finally {
        server.close();
      }
      runs.push({ retries, rows });
    }
    expect(runs[0]!.retries).toHaveLength(answers.length - 1);
    expect(runs[1]).toStrictEqual(runs[0]);
  });

  it('refuses a value that is not a boolean, naming the option', () => {
    expect(() => paginateCallLogs({ apiKey: 'k', shallowRecords: 'yes' as unknown as boolean })).toThrow(
      InvalidOptionError,
    );
    expect(() => paginateCallLogs({ apiKey: 'k', shallowRecords: 1 as unknown as boolean })).toThrow(
      /shallowRecords/,
    );
  });
});
