import { InvalidOptionError } from '@omnidim-stream/core';
import {
  generateCallLog,
  ODD_SHAPES,
  type OddShape,
  type RunningSimulator,
  startSimulator,
} from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

/** Every call as served, newest first, as parsed JSON (odd values included). */
async function served(s: RunningSimulator): Promise<unknown[]> {
  const out: unknown[] = [];
  for (let page = 1; ; page++) {
    const res = await fetch(`${s.url}/calls/logs?pageno=${page}&pagesize=150`, {
      headers: { authorization: `Bearer ${s.apiKey}` },
    });
    const body = (await res.json()) as { call_log_data: unknown[] };
    out.push(...body.call_log_data);
    if (body.call_log_data.length < 150) return out;
  }
}

describe('oddRecords', () => {
  it('is off by default: every call is the generated one', async () => {
    sim = await startSimulator({ seed: 4, records: 40 });
    const calls = await served(sim);
    expect(calls).toEqual(
      Array.from({ length: 40 }, (_, i) => generateCallLog(4, 39 - i)).map((c) =>
        JSON.parse(JSON.stringify(c)),
      ),
    );
    expect(sim.oddShapes().size).toBe(0);
  });

  it('serves about `rate` of the calls in odd shapes, the same ones for the same seed, and lists them', async () => {
    const options = { seed: 9, records: 600, oddRecords: { rate: 0.2, hugeTranscriptBytes: 2_000 } };
    sim = await startSimulator(options);
    const shapes = sim.oddShapes();
    const first = await served(sim);
    await sim.close();
    sim = await startSimulator(options);
    expect(await served(sim)).toEqual(first);
    expect([...sim.oddShapes()]).toEqual([...shapes]);
    expect(shapes.size).toBeGreaterThan(80);
    expect(shapes.size).toBeLessThan(160);
    // Several kinds drawn; normal calls untouched.
    expect(new Set(shapes.values()).size).toBeGreaterThanOrEqual(8);
    const ids = sim.ids();
    first.forEach((call, i) => {
      const id = ids[i] as number;
      if (!shapes.has(id)) expect(call).toEqual(JSON.parse(JSON.stringify(generateCallLog(9, 599 - i))));
    });
  });

  const cases: [OddShape, (call: unknown, id: number) => void][] = [
    ['interactions-false', (c) => expect((c as Record<string, unknown>)['interactions']).toBe(false)],
    ['id-as-string', (c, id) => expect((c as Record<string, unknown>)['id']).toBe(String(id))],
    [
      'no-id',
      (c) => {
        expect(typeof c).toBe('object');
        expect(c).not.toHaveProperty('id');
      },
    ],
    ['not-an-object', (c) => expect(c === null || typeof c !== 'object' || Array.isArray(c)).toBe(true)],
    [
      'null-objects',
      (c) => {
        const call = c as Record<string, unknown>;
        expect(call['post_call_actions']).toBeNull();
        expect(call['call_request_id']).toBeNull();
      },
    ],
    [
      'numbers-as-strings',
      (c) => expect(typeof (c as Record<string, unknown>)['call_duration_in_seconds']).toBe('string'),
    ],
    [
      'huge-transcript',
      (c) => {
        const text = (c as Record<string, unknown>)['call_conversation'] as string;
        expect(Buffer.byteLength(text)).toBeGreaterThanOrEqual(50_000);
        expect(text).toContain('\u0000');
        expect(text).toContain('😀');
      },
    ],
    ['hostile-paths', (c) => expect(String((c as Record<string, unknown>)['time_of_call'])).toContain('../')],
    [
      'unknown-nested',
      (c) => expect((c as Record<string, unknown>)['x_new_feature']).toMatchObject({ flags: [{ on: true }] }),
    ],
    ['formula-text', (c) => expect(String((c as Record<string, unknown>)['user_name'])).toMatch(/^[=+\-@]/)],
    [
      'missing-fields',
      (c) => {
        expect(c).not.toHaveProperty('post_call_actions');
        expect(c).toHaveProperty('id');
      },
    ],
  ];
  it.each(cases)('shape %s is served as described', async (shape, check) => {
    sim = await startSimulator({
      seed: 3,
      records: 30,
      oddRecords: { rate: 1, shapes: [shape], hugeTranscriptBytes: 50_000 },
    });
    const calls = await served(sim);
    const ids = sim.ids();
    expect([...sim.oddShapes().keys()]).toEqual(ids);
    expect(calls).toHaveLength(30);
    for (const [i, call] of calls.entries()) check(call, ids[i] as number);
  });

  it('applies to calls inserted later and to patched calls without changing the patch', async () => {
    sim = await startSimulator({
      seed: 5,
      records: 5,
      oddRecords: { rate: 1, shapes: ['interactions-false'] },
    });
    const [newId] = sim.insertCalls(1);
    sim.updateCalls([newId as number], (log) => {
      log['recording_url'] = 'https://example.test/late.mp3';
    });
    const [head] = (await served(sim)) as Record<string, unknown>[];
    expect(head).toMatchObject({
      id: newId,
      recording_url: 'https://example.test/late.mp3',
      interactions: false,
    });
    expect(sim.oddShapes().get(newId as number)).toBe('interactions-false');
  });

  it('refuses bad options before starting', async () => {
    await expect(startSimulator({ oddRecords: { rate: 2 } })).rejects.toThrow(InvalidOptionError);
    await expect(startSimulator({ oddRecords: { shapes: ['weird' as OddShape] } })).rejects.toThrow(
      /oddRecords\.shapes/,
    );
    await expect(startSimulator({ oddRecords: { hugeTranscriptBytes: 0 } })).rejects.toThrow(
      /hugeTranscriptBytes/,
    );
    expect(ODD_SHAPES).toContain('not-an-object');
  });
});
