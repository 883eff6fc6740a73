/**
 * JSON text columns (`payload`, `extra`, `result`) are written by the native `JSON.stringify`,
 * with a slower exact path only for values JSON cannot hold (issue 8 perf work): those must still
 * come out as strings, never as a silent `null`. Transcripts are split on `<br/>` in one pass.
 */
import { describe, expect, it } from 'vitest';
import { cleanTranscript, flattenCallLog } from '../src/index.js';

const webhookWith = (payload: string) =>
  flattenCallLog({ id: 1, post_call_actions: { call_recording_webhook_ids: [{ id: 2, payload }] } }).tables
    .webhooks[0]!;

describe('JSON text columns', () => {
  it('a payload number too large for a double (1e400) is kept as the string "Infinity", not null', () => {
    const w = webhookWith('{"call_id":5,"big":1e400,"none":null,"list":[1,-1e400,null]}');
    expect(JSON.parse(w['payload'] as string)).toEqual({
      call_id: 5,
      big: 'Infinity',
      none: null,
      list: [1, '-Infinity', null],
    });
    expect(w['payload_call_id']).toBe(5);
  });

  it('real nulls stay null, and the text keeps the payload key order', () => {
    const w = webhookWith('{"b":null,"a":[null,{"c":null}],"call_id":"7"}');
    expect(w['payload']).toBe('{"b":null,"a":[null,{"c":null}],"call_id":"7"}');
    expect(w['payload_call_id']).toBe(7);
  });

  it('extra keeps a non-finite number or a bigint as a string', () => {
    const call = flattenCallLog({ id: 1, ratio: Number.POSITIVE_INFINITY, big: 12n, fine: null }).tables
      .calls[0]!;
    expect(JSON.parse(call['extra'] as string)).toEqual({ ratio: 'Infinity', big: '12', fine: null });
  });

  it('a function result object is JSON text; a non-finite number inside it is a string', () => {
    const flat = flattenCallLog({
      id: 1,
      interactions: [{ id: 2, function_call_data: [{ name: 'f', result: { ok: null, n: Number.NaN } }] }],
    });
    expect(JSON.parse(flat.tables.function_calls[0]!['result'] as string)).toEqual({ ok: null, n: 'NaN' });
  });
});

describe('transcripts', () => {
  it('splits on every spelling of <br>, trims turns and drops empty ones', () => {
    expect(cleanTranscript(' <BR> user: hi <br/><br />  LLM: hello <Br  /> ')).toBe('user: hi\nLLM: hello');
    expect(cleanTranscript('one turn')).toBe('one turn');
    expect(cleanTranscript(' <br/> <br> ')).toBeNull();
    expect(cleanTranscript('')).toBeNull();
    // `<br` without its `>` is text, not a separator.
    expect(cleanTranscript('a <br b')).toBe('a <br b');
  });

  it('finds a separator at the very start and after a `<` that starts none', () => {
    // The separators are found by trying each `<` (no match array per turn): the first character,
    // a `<` right before one, and a `<br` without its `>` right before one are all tried.
    expect(cleanTranscript('<br/>first<br>second')).toBe('first\nsecond');
    expect(cleanTranscript('a <<br/>b')).toBe('a <\nb');
    expect(cleanTranscript('x <br<br >y')).toBe('x <br\ny');
    expect(cleanTranscript('1 < 2<BR/>3 > 2')).toBe('1 < 2\n3 > 2');
  });

  it('gives the same answer on a second call (no state left between calls)', () => {
    const text = 'a<br/>b<br/>c';
    expect(cleanTranscript(text)).toBe('a\nb\nc');
    expect(cleanTranscript(text)).toBe('a\nb\nc');
  });
});
