import { describe, expect, it } from 'vitest';
import { GENERATED_END, GENERATED_START, spliceGenerated } from '../bench/lib/benchmarks-md.js';
import { atLeast, atMost, both, renderGoalTable } from '../bench/lib/goals.js';

describe('BENCHMARKS.md generated part', () => {
  it('replaces only what lies between the markers, keeping the hand-written text around them', () => {
    const doc = `intro\n\n${GENERATED_START}\nold run\n${GENERATED_END}\n\nanalysis\n`;
    const once = spliceGenerated(doc, 'new run\n');
    expect(once).toBe(`intro\n\n${GENERATED_START}\nnew run\n${GENERATED_END}\n\nanalysis\n`);
    // A second run replaces the first one's output rather than adding another block.
    expect(spliceGenerated(once, 'third run')).toBe(
      `intro\n\n${GENERATED_START}\nthird run\n${GENERATED_END}\n\nanalysis\n`,
    );
  });

  it('appends the markers and the part when the document has none', () => {
    expect(spliceGenerated('intro\n', 'run')).toBe(`intro\n\n${GENERATED_START}\nrun\n${GENERATED_END}\n`);
    expect(spliceGenerated('', 'run')).toBe(`${GENERATED_START}\nrun\n${GENERATED_END}\n`);
  });
});

describe('goal table', () => {
  it('decides met / missed at the target itself, n/a when nothing was measured', () => {
    expect([
      atLeast(1.2, 1.2),
      atLeast(1.19, 1.2),
      atLeast(undefined, 1.2),
      atLeast(Number.NaN, 1.2),
    ]).toEqual(['met', 'missed', 'n/a', 'n/a']);
    expect([atMost(2, 2), atMost(2.01, 2), atMost(undefined, 2)]).toEqual(['met', 'missed', 'n/a']);
    expect([both('met', 'met'), both('met', 'missed'), both('missed', 'n/a')]).toEqual([
      'met',
      'missed',
      'n/a',
    ]);
  });

  it('renders one Markdown row per goal, a miss in bold with what bounds it, pipes escaped', () => {
    const table = renderGoalTable([
      { goal: '3. CPU | ndjson', target: '≤ 1.6×', measured: '1.4×', verdict: 'met' },
      { goal: '4. scaling', target: '≥ 1.7×', measured: '1.2×', verdict: 'missed', bound: 'GC 20%' },
    ]);
    const lines = table.split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[2]).toBe('| 3. CPU \\| ndjson | ≤ 1.6× | 1.4× | met |  |');
    expect(lines[3]).toBe('| 4. scaling | ≥ 1.7× | 1.2× | **missed** | GC 20% |');
  });
});
