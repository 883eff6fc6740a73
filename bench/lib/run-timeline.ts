/**
 * The timeline of one CLI run, from the marks bench/lib/timeline-preload.mjs wrote (ms since the
 * process started): where the wall time between spawn and exit goes (goal 5, bench/latency.ts).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The preload to pass as `--import` (plain JavaScript: the built CLI runs under plain node). */
export const TIMELINE_PRELOAD = fileURLToPath(new URL('./timeline-preload.mjs', import.meta.url));

interface Mark {
  t: number;
  what: string;
  detail?: string;
}

/** Reads the marks file. */
export async function readTimeline(file: string): Promise<Mark[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Mark);
}

/**
 * The timeline as table rows `[event, ms since process start]`: start-up, the first request, each
 * page's request → answer (pages requested together on one line), the first part file, commit, exit.
 */
export function timelineRows(marks: readonly Mark[]): [string, string][] {
  const at = (what: string, detail?: string) =>
    marks.find((m) => m.what === what && (detail === undefined || m.detail === detail))?.t;
  const rows: [string, string][] = [];
  const add = (label: string, t: number | undefined) => {
    if (t !== undefined) rows.push([label, t.toFixed(0)]);
  };
  add('preload ran (node bootstrapped)', at('preload'));
  const opens = marks.filter((m) => m.what === 'opened under --out');
  add('lock taken (first file under --out)', opens[0]?.t);
  for (const wave of requestWaves(marks)) {
    rows.push([`pages ${wave.pages} requested → last of them answered`, `${wave.sent} → ${wave.answered}`]);
  }
  add('first part file opened (first rows written)', opens[1]?.t);
  const renames = marks.filter((m) => m.what === 'rename');
  const fsyncs = marks.filter((m) => m.what === 'fsync');
  if (renames.length > 0) {
    rows.push([
      `commit: renames (${renames.length}), first → last`,
      `${renames[0]?.t.toFixed(0)} → ${renames.at(-1)?.t.toFixed(0)}`,
    ]);
  }
  if (fsyncs.length > 0) rows.push([`fsyncs (${fsyncs.length}), last`, (fsyncs.at(-1)?.t ?? 0).toFixed(0)]);
  add('exit', at('exit'));
  return rows;
}

/** Requests sent within 50 ms of each other form a wave; its last body read closes it. */
function requestWaves(marks: readonly Mark[]): { pages: string; sent: string; answered: string }[] {
  const body = new Map(marks.filter((m) => m.what === 'body').map((m) => [m.detail, m.t]));
  const waves: Mark[][] = [];
  for (const m of marks.filter((x) => x.what === 'request')) {
    const wave = waves.at(-1);
    if (wave && m.t - (wave.at(-1)?.t ?? 0) <= 50) wave.push(m);
    else waves.push([m]);
  }
  return waves.map((wave) => {
    const pages = wave.map((m) => m.detail ?? '?');
    const answered = Math.max(...pages.map((p) => body.get(p) ?? Number.NaN));
    return {
      pages: pages.length > 2 ? `${pages[0]}…${pages.at(-1)} (${pages.length})` : pages.join(', '),
      sent: (wave[0]?.t ?? 0).toFixed(0),
      answered: Number.isNaN(answered) ? '?' : answered.toFixed(0),
    };
  });
}
