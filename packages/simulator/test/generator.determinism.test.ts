import {
  generateCallLog,
  generateHistory,
  type RunningSimulator,
  startSimulator,
} from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { getList } from './helpers.js';

const running: RunningSimulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

describe('deterministic history', () => {
  it('the same seed and a larger count give the same history plus newer calls', () => {
    const small = generateHistory(42, 60);
    const large = generateHistory(42, 90);
    expect(large.slice(0, 60)).toEqual(small);
    const lastSmall = small[59]?.id as number;
    expect(large.slice(60).every((c) => c.id > lastSmall)).toBe(true);
    expect(generateCallLog(42, 75)).toEqual(large[75]);
  });

  it('a different seed gives different calls', () => {
    const a = generateHistory(1, 20).map((c) => JSON.stringify(c));
    const b = generateHistory(2, 20).map((c) => JSON.stringify(c));
    expect(a.filter((text, i) => text === b[i])).toHaveLength(0);
  });

  it('ids rise strictly with the index, with gaps', () => {
    const ids = generateHistory(9, 500).map((c) => c.id);
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBeGreaterThan(ids[i - 1] as number);
    expect(ids[ids.length - 1]! - ids[0]!).toBeGreaterThan(ids.length - 1);
  });

  it('two servers with the same seed serve the same pages; a larger one adds newer calls on top', async () => {
    const small = await startSimulator({ seed: 11, records: 100 });
    const large = await startSimulator({ seed: 11, records: 130 });
    running.push(small, large);
    const a = await getList(small, '?pagesize=150');
    const b = await getList(large, '?pagesize=150');
    expect(b.call_log_data.slice(30)).toEqual(a.call_log_data);
    expect(b.call_log_data[29]!.id).toBeGreaterThan(a.call_log_data[0]!.id);
    // Served records are exactly the generator's records.
    expect(a.call_log_data.at(-1)).toEqual(generateCallLog(11, 0));
  });
});
