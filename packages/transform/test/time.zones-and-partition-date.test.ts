/**
 * `time_of_call` is `MM/DD/YYYY HH:MM:SS`, month first, in the `timeZone` option (default UTC,
 * never the machine's zone); webhook dates are `YYYY-MM-DD HH:MM:SS`. Expected instants are
 * worked out by hand from each zone's offset on that date.
 */
import { InvalidOptionError } from '@omnidim-stream/core';
import { describe, expect, it } from 'vitest';
import {
  flattenCallLog,
  localDateOf,
  parseApiDateTime,
  parseWallTime,
  resolveTransformOptions,
} from '../src/index.js';

const iso = (text: string, zone: string) => parseApiDateTime(text, zone)?.toISOString() ?? null;

describe('parsing API date-times in a time zone', () => {
  it('reads month first, including a day above 12', () => {
    expect(parseWallTime('05/20/2026 09:05:07')).toEqual({
      year: 2026,
      month: 5,
      day: 20,
      hour: 9,
      minute: 5,
      second: 7,
    });
    expect(iso('05/20/2026 09:05:07', 'UTC')).toBe('2026-05-20T09:05:07.000Z');
    // 05/04 is the 4th of May, not the 5th of April.
    expect(iso('05/04/2026 14:46:15', 'UTC')).toBe('2026-05-04T14:46:15.000Z');
    // A day-first reading of 20/05 would be month 20: rejected.
    expect(parseWallTime('20/05/2026 09:05:07')).toBeNull();
  });

  it('reads webhook dates YYYY-MM-DD HH:MM:SS', () => {
    expect(iso('2026-05-04 14:46:15', 'UTC')).toBe('2026-05-04T14:46:15.000Z');
    expect(iso('2026-05-04 14:46:15', 'Asia/Kolkata')).toBe('2026-05-04T09:16:15.000Z');
  });

  it('rejects impossible dates and other formats', () => {
    for (const bad of [
      '02/30/2026 10:00:00',
      '13/01/2026 10:00:00',
      '05/04/2026 24:00:00',
      '05/04/2026',
      'soon',
      '2026-05-04T14:46:15Z',
    ]) {
      expect(parseWallTime(bad)).toBeNull();
    }
    expect(parseWallTime('02/29/2028 00:00:00')).not.toBeNull(); // leap year
  });

  it('America/New_York: EDT (UTC-4) in May, EST (UTC-5) in January', () => {
    expect(iso('05/04/2026 14:46:15', 'America/New_York')).toBe('2026-05-04T18:46:15.000Z');
    expect(iso('01/15/2026 08:00:00', 'America/New_York')).toBe('2026-01-15T13:00:00.000Z');
  });

  it('Asia/Kolkata is UTC+5:30', () => {
    expect(iso('05/20/2026 10:00:00', 'Asia/Kolkata')).toBe('2026-05-20T04:30:00.000Z');
  });

  it('DST gap (2026-03-08 02:30 does not exist in New York): moved forward by the gap', () => {
    expect(iso('03/08/2026 01:59:59', 'America/New_York')).toBe('2026-03-08T06:59:59.000Z');
    expect(iso('03/08/2026 02:30:00', 'America/New_York')).toBe('2026-03-08T07:30:00.000Z'); // = 03:30 EDT
    expect(iso('03/08/2026 03:00:00', 'America/New_York')).toBe('2026-03-08T07:00:00.000Z');
  });

  it('DST overlap (2026-11-01 01:30 happens twice in New York): the earlier instant', () => {
    expect(iso('11/01/2026 01:30:00', 'America/New_York')).toBe('2026-11-01T05:30:00.000Z'); // EDT, not 06:30Z
    expect(iso('11/01/2026 02:30:00', 'America/New_York')).toBe('2026-11-01T07:30:00.000Z'); // EST
  });

  it('does not depend on the machine time zone', () => {
    const before = process.env['TZ'];
    try {
      process.env['TZ'] = 'Pacific/Kiritimati';
      expect(iso('05/04/2026 14:46:15', 'UTC')).toBe('2026-05-04T14:46:15.000Z');
      expect(localDateOf(new Date('2026-05-04T23:30:00Z'), 'UTC')).toBe('2026-05-04');
    } finally {
      if (before === undefined) delete process.env['TZ'];
      else process.env['TZ'] = before;
    }
  });
});

describe('the timeZone option', () => {
  it('defaults to UTC', () => {
    expect(resolveTransformOptions().timeZone).toBe('UTC');
    const flat = flattenCallLog({ id: 1, time_of_call: '05/20/2026 23:59:59' });
    expect(flat.tables.calls[0]!['time_of_call']).toEqual(new Date(Date.UTC(2026, 4, 20, 23, 59, 59)));
    expect(flat.partitionDate).toBe('2026-05-20');
  });

  it('rejects an unknown zone, naming timeZone', () => {
    for (const bad of ['Mars/Olympus_Mons', '', 42]) {
      let error: unknown;
      try {
        resolveTransformOptions({ timeZone: bad as string });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(InvalidOptionError);
      expect((error as InvalidOptionError).code).toBe('INVALID_OPTION');
      expect((error as InvalidOptionError).option).toBe('timeZone');
    }
    expect(() => flattenCallLog({ id: 1 }, { timeZone: 'Nowhere/Special' })).toThrow(/timeZone/);
  });

  it('applies to calls, interactions and webhook dates alike', () => {
    const flat = flattenCallLog(
      {
        id: 7,
        time_of_call: '05/04/2026 14:46:15',
        interactions: [{ id: 1, interaction_sequence: 1, time_of_call: '05/04/2026 14:43:00' }],
        post_call_actions: {
          call_recording_webhook_ids: [
            { id: 2, create_date: '2026-05-04 14:46:15', payload: '{"call_date":"2026-05-04 14:46:15"}' },
          ],
        },
      },
      { timeZone: 'Asia/Kolkata' },
    );
    expect(flat.tables.calls[0]!['time_of_call']).toEqual(new Date('2026-05-04T09:16:15Z'));
    expect(flat.tables.interactions[0]!['time_of_call']).toEqual(new Date('2026-05-04T09:13:00Z'));
    expect(flat.tables.webhooks[0]!['create_date']).toEqual(new Date('2026-05-04T09:16:15Z'));
    expect(flat.tables.webhooks[0]!['payload_call_date']).toEqual(new Date('2026-05-04T09:16:15Z'));
  });
});

describe("partition date: the call's own date in the zone", () => {
  it('late evening in New York is the same local date, though UTC is already the next day', () => {
    const flat = flattenCallLog(
      { id: 1, time_of_call: '05/04/2026 23:30:00' },
      { timeZone: 'America/New_York' },
    );
    expect(flat.tables.calls[0]!['time_of_call']).toEqual(new Date('2026-05-05T03:30:00Z'));
    expect(flat.partitionDate).toBe('2026-05-04');
    expect(flat.tables.calls[0]!['call_date']).toBe('2026-05-04');
  });

  it('early morning in Kolkata is the local date, though UTC is still the day before', () => {
    const flat = flattenCallLog({ id: 1, time_of_call: '05/05/2026 02:00:00' }, { timeZone: 'Asia/Kolkata' });
    expect(flat.tables.calls[0]!['time_of_call']).toEqual(new Date('2026-05-04T20:30:00Z'));
    expect(flat.partitionDate).toBe('2026-05-05');
  });

  it('is null when time_of_call is missing or unparseable (which is kept in extra and counted)', () => {
    expect(flattenCallLog({ id: 1 }).partitionDate).toBeNull();
    const flat = flattenCallLog({ id: 1, time_of_call: 'yesterday' });
    expect(flat.partitionDate).toBeNull();
    expect(flat.tables.calls[0]!['time_of_call']).toBeNull();
    expect(JSON.parse(flat.tables.calls[0]!['extra'] as string)).toEqual({ time_of_call: 'yesterday' });
    expect(flat.coercions).toBe(1);
  });
});
