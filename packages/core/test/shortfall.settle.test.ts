/** Issue 11 item 3: a short page's shortfall stands until a later whole response covers it. */
import { describe, expect, it } from 'vitest';
import { ShortfallLedger } from '../src/shortfall.js';

const short = { page: 5, pageSize: 10, received: 5, total_records: 300, short: true };

describe('ShortfallLedger', () => {
  it('a short page counts its missing rows once, however often it was re-read short', () => {
    const ledger = new ShortfallLedger();
    expect(ledger.note(short, 300)).toBe(5);
    expect(ledger.note(short, 300)).toBe(5);
  });

  it('a later whole read of the same page settles it', () => {
    const ledger = new ShortfallLedger();
    ledger.note(short, 300);
    expect(ledger.note({ ...short, received: 10, short: false }, 300)).toBe(0);
  });

  it('a whole probe with its own page size that covers the window settles it', () => {
    const ledger = new ShortfallLedger();
    ledger.note(short, 300);
    // pagesize 141, page 1: offsets 0..140 hold page 5's window 40..49.
    expect(
      ledger.note({ page: 1, pageSize: 141, received: 141, total_records: 300, short: false }, 300),
    ).toBe(0);
  });

  it('a whole response that does not cover all of the window, or saw another total, does not', () => {
    const ledger = new ShortfallLedger();
    ledger.note(short, 300);
    expect(ledger.note({ page: 6, pageSize: 10, received: 10, total_records: 300, short: false }, 300)).toBe(
      5,
    );
    expect(
      ledger.note({ page: 1, pageSize: 141, received: 141, total_records: 301, short: false }, 300),
    ).toBe(5);
  });
});
