/**
 * `time.ts` answers from a UTC fast path and a per-hour offset cache (issue 8: `Intl` on every
 * conversion was 15% of an export). These tests hold the fast paths to a reference built here
 * straight on `Intl.DateTimeFormat#formatToParts`, over many instants and wall times, densely
 * around every DST or historical transition of zones chosen for awkward rules: 30-minute DST
 * (Lord Howe), half-hour base offsets (Kolkata, Caracas), a skipped calendar day (Apia, 2011),
 * permanent offset changes (Moscow 2011/2014, Caracas 2007/2016), war time (Kolkata 1942–45).
 */
import { describe, expect, it } from 'vitest';
import { flattenCallLog, localDateOf, parseApiDateTime, parseWallTime } from '../src/index.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const referenceFormatters = new Map<string, Intl.DateTimeFormat>();
/** Wall-clock fields shown in `zone` at `ms`, straight from `Intl`. */
function referenceWall(ms: number, zone: string): number[] {
  let f = referenceFormatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    referenceFormatters.set(zone, f);
  }
  const byType = new Map(f.formatToParts(new Date(ms)).map((p) => [p.type, Number(p.value)]));
  return ['year', 'month', 'day', 'hour', 'minute', 'second'].map((t) => byType.get(t as never) ?? 0);
}
function referenceOffset(ms: number, zone: string): number {
  const s = Math.floor(ms / 1000) * 1000;
  const [y, mo, d, h, mi, se] = referenceWall(s, zone) as [number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, se) - s;
}
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
function referenceDate(ms: number, zone: string): string {
  const [y, mo, d] = referenceWall(ms, zone) as [number, number, number];
  return `${pad(y, 4)}-${pad(mo)}-${pad(d)}`;
}

/** Transitions of `zone` in [from, to): found by an hourly scan, then bisected to the second. */
function referenceTransitions(
  zone: string,
  from: number,
  to: number,
): { at: number; before: number; after: number }[] {
  const out: { at: number; before: number; after: number }[] = [];
  let prev = referenceOffset(from, zone);
  for (let t = from + HOUR; t < to; t += HOUR) {
    const cur = referenceOffset(t, zone);
    if (cur === prev) continue;
    let lo = t - HOUR; // offset `prev`
    let hi = t; // offset `cur`
    while (hi - lo > 1000) {
      const mid = Math.floor((lo + hi) / 2000) * 1000;
      if (referenceOffset(mid, zone) === prev) lo = mid;
      else hi = mid;
    }
    out.push({ at: hi, before: prev, after: cur });
    prev = cur;
  }
  return out;
}

/** The wall time whose fields, read as UTC, are `asUtc`, in the two API spellings. */
function apiTexts(asUtc: number): [string, string] {
  const d = new Date(asUtc);
  const date = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return [
    `${pad(date[1]!)}/${pad(date[2]!)}/${date[0]} ${time}`,
    `${date[0]}-${pad(date[1]!)}-${pad(date[2]!)} ${time}`,
  ];
}

/**
 * The instant the documented DST rule gives for wall time `asUtc` near a transition from offset
 * `before` to `after`: the earlier valid reading, or, in a gap, the reading with `before`.
 */
function expectedInstant(asUtc: number, before: number, after: number, zone: string): number {
  const valid = [before, after].filter((o) => referenceOffset(asUtc - o, zone) === o).map((o) => asUtc - o);
  return valid.length > 0 ? Math.min(...valid) : asUtc - before;
}

const CASES: { zone: string; years: number[] }[] = [
  { zone: 'America/New_York', years: [2026] },
  { zone: 'Europe/Paris', years: [2026] },
  { zone: 'Asia/Kolkata', years: [1942, 1945, 2026] },
  { zone: 'Australia/Lord_Howe', years: [2026] },
  { zone: 'Pacific/Apia', years: [2011] },
  { zone: 'Europe/Moscow', years: [2011, 2014] },
  { zone: 'America/Caracas', years: [2007, 2016] },
];

describe('cached zone offsets agree with Intl', () => {
  for (const { zone, years } of CASES) {
    it(`${zone} (${years.join(', ')}): partition dates and parsed instants, around every transition`, () => {
      let transitionsSeen = 0;
      for (const year of years) {
        const from = Date.UTC(year, 0, 1);
        const to = Date.UTC(year + 1, 0, 1);
        // Instants across the year (odd step, so minutes and seconds vary).
        for (let t = from; t < to; t += 97 * MINUTE + 13_000) {
          expect(localDateOf(new Date(t), zone), new Date(t).toISOString()).toBe(referenceDate(t, zone));
          const wall = t + referenceOffset(t, zone);
          // A wall time that some instant shows: it must come back as an instant showing it.
          const parsed = parseApiDateTime(apiTexts(wall)[(t / 1000) % 2 === 0 ? 0 : 1], zone)!.getTime();
          expect(referenceWall(parsed, zone)).toEqual(referenceWall(t, zone));
          expect(parsed).toBeLessThanOrEqual(t); // the earlier reading in an overlap
        }
        for (const { at, before, after } of referenceTransitions(zone, from, to)) {
          transitionsSeen++;
          // Every 30 s for 3 h either side of the instant of change.
          for (let t = at - 3 * HOUR; t <= at + 3 * HOUR; t += 30_000) {
            expect(localDateOf(new Date(t), zone), new Date(t).toISOString()).toBe(referenceDate(t, zone));
          }
          // Every wall time from 3 h before the earlier local reading to 3 h after the later one,
          // covering the gap (forward jump) or the overlap (backward jump) and both edges.
          const lo = at + Math.min(before, after) - 3 * HOUR;
          const hi = at + Math.max(before, after) + 3 * HOUR;
          for (let wall = lo; wall <= hi; wall += MINUTE + 1000) {
            const expected = expectedInstant(wall, before, after, zone);
            const [us, iso] = apiTexts(wall);
            expect(parseApiDateTime(us, zone)?.getTime(), `${zone} ${us}`).toBe(expected);
            expect(parseApiDateTime(iso, zone)?.getTime(), `${zone} ${iso}`).toBe(expected);
          }
        }
      }
      // The zones and years were chosen for their transitions: the dense checks must have run.
      expect(transitionsSeen).toBeGreaterThan(0);
    });
  }

  it('UTC (the default) and its aliases: plain arithmetic, over five centuries', () => {
    for (let t = Date.UTC(1700, 0, 1); t < Date.UTC(2200, 0, 1); t += 29 * DAY + 3 * HOUR + 7_001) {
      const [us] = apiTexts(t);
      for (const zone of ['UTC', 'Etc/UTC', 'GMT']) {
        expect(localDateOf(new Date(t), zone)).toBe(referenceDate(t, 'UTC'));
        expect(parseApiDateTime(us, zone)?.getTime()).toBe(Math.floor(t / 1000) * 1000);
      }
    }
  });
});

describe('DST edges worked by hand', () => {
  const iso = (text: string, zone: string) => parseApiDateTime(text, zone)?.toISOString() ?? null;

  it('Australia/Lord_Howe: a 30-minute gap and a 30-minute overlap', () => {
    // 2026-10-04 02:00 → 02:30 (+10:30 → +11:00): 02:15 is read with +10:30, i.e. as 02:45 +11:00.
    expect(iso('10/04/2026 02:15:00', 'Australia/Lord_Howe')).toBe('2026-10-03T15:45:00.000Z');
    expect(iso('10/04/2026 01:59:00', 'Australia/Lord_Howe')).toBe('2026-10-03T15:29:00.000Z');
    // 2026-04-05 02:00 → 01:30 (+11:00 → +10:30): 01:45 happens twice; the earlier is +11:00.
    expect(iso('04/05/2026 01:45:00', 'Australia/Lord_Howe')).toBe('2026-04-04T14:45:00.000Z');
  });

  it('Europe/Paris: 02:30 is skipped in March and doubled in October', () => {
    expect(iso('03/29/2026 02:30:00', 'Europe/Paris')).toBe('2026-03-29T01:30:00.000Z'); // = 03:30 CEST
    expect(iso('10/25/2026 02:30:00', 'Europe/Paris')).toBe('2026-10-25T00:30:00.000Z'); // CEST, not CET
  });

  it('Pacific/Apia skipped 2011-12-30: a wall time that day is moved a whole day forward', () => {
    // The gap is 24 h (UTC-10 → UTC+14), so the partition date is the 31st, not the 30th.
    const flat = flattenCallLog({ id: 1, time_of_call: '12/30/2011 12:00:00' }, { timeZone: 'Pacific/Apia' });
    expect(flat.tables.calls[0]!['time_of_call']).toEqual(new Date('2011-12-30T22:00:00Z'));
    expect(flat.partitionDate).toBe('2011-12-31');
  });
});

describe('date-time text: the fixed-width fast path and the tolerant fallback agree', () => {
  it('accepts one-digit fields, surrounding spaces and a T separator as before', () => {
    const expected = { year: 2026, month: 5, day: 4, hour: 1, minute: 2, second: 3 };
    expect(parseWallTime('5/4/2026 1:02:03')).toEqual(expected);
    expect(parseWallTime(' 05/04/2026 01:02:03 ')).toEqual(expected);
    expect(parseWallTime('2026-05-04T01:02:03')).toEqual(expected);
    expect(parseWallTime('2026-05-04 01:02:03')).toEqual(expected);
  });

  it('rejects 19-character look-alikes', () => {
    for (const bad of [
      '2027-02-29 00:00:00', // not a leap year
      '2100-02-29 00:00:00', // century, not a leap year
      '0a/04/2026 14:46:15',
      '05/04/2026T14:46:15',
      '05-04-2026 14:46:15',
      '2026/05/04 14:46:15',
      '05/04/0999 14:46:15',
      '05/04/2026 14:46:60',
      '00/04/2026 14:46:15',
      '05/00/2026 14:46:15',
      '٠٥/04/2026 14:46:15', // non-ASCII digits
    ]) {
      expect(parseWallTime(bad), bad).toBeNull();
      expect(parseApiDateTime(bad, 'UTC'), bad).toBeNull();
    }
    expect(parseWallTime('2000-02-29 00:00:00')).not.toBeNull(); // 400-year leap day
  });
});
