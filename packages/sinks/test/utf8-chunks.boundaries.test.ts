import { describe, expect, it } from 'vitest';
import { Utf8Chunks } from '../src/utf8-chunks.js';

/** Pieces of one-byte, two-byte and astral text, some longer than a small chunk. */
function pieces(count: number): string[] {
  const kinds = ['plain ascii line\n', 'Grüße, Zoë\n', '日本語のテキスト\n', '🚀 emoji 😀\n', ''];
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(`${i}:${kinds[i % kinds.length]!.repeat(1 + (i % 7))}`);
  out.push('x'.repeat(500), '日'.repeat(300)); // each alone exceeds a 256-byte chunk
  return out;
}

describe('Utf8Chunks', () => {
  it('hands on exactly the UTF-8 of the appended text, in order, across chunk boundaries', () => {
    const text = pieces(400);
    const chunks = new Utf8Chunks(256);
    const full: Buffer[] = [];
    for (const piece of text) chunks.append(piece, full);
    chunks.flush(full);
    // Buffer.from is Node's own encoder: the reference the chunks must equal, byte for byte.
    expect(Buffer.concat(full).equals(Buffer.from(text.join(''), 'utf8'))).toBe(true);
    expect(full.length).toBeGreaterThan(10);
    for (const chunk of full.slice(0, -3)) expect(chunk.length).toBeLessThanOrEqual(256);
    expect(chunks.pendingBytes).toBe(0);
  });

  it('never hands on a chunk that a later append writes into', () => {
    const chunks = new Utf8Chunks(64);
    const full: Buffer[] = [];
    for (let i = 0; i < 50; i++) chunks.append(`line ${i} 😀\n`, full);
    const copies = full.map((b) => Buffer.from(b));
    for (let i = 0; i < 50; i++) chunks.append(`over ${i} 日本\n`, full);
    chunks.flush(full);
    for (const [i, copy] of copies.entries()) expect(full[i]!.equals(copy)).toBe(true);
  });

  it('holds nothing before the first append and hands on nothing for empty text', () => {
    const chunks = new Utf8Chunks();
    const full: Buffer[] = [];
    chunks.flush(full);
    chunks.append('', full);
    chunks.flush(full);
    expect(full).toEqual([]);
  });
});
