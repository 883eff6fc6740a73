import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EXIT_CODES } from '@omnidim-stream/cli';
import { describe, expect, it } from 'vitest';

const README = join(dirname(fileURLToPath(import.meta.url)), '../../../README.md');

/** The numbers in the first column of README's "Exit codes" table (`130 / 143` gives both). */
function readmeExitCodes(): number[] {
  const text = readFileSync(README, 'utf8');
  const section = text.slice(text.indexOf('### Exit codes'), text.indexOf('### Scheduled runs'));
  return section
    .split('\n')
    .filter((line) => /^\| \d/.test(line))
    .flatMap((line) => (line.split('|')[1] ?? '').split('/').map((n) => Number(n.trim())))
    .sort((a, b) => a - b);
}

// Schedulers read the README, the code exports EXIT_CODES: the two must name the same numbers.
// (Each code is also asserted as a literal where it is provoked: test/e2e/exit-codes.lake-intact.)
describe('EXIT_CODES is the README table', () => {
  it('the exported constant holds exactly the numbers of the README table', () => {
    const table = readmeExitCodes();
    expect(table).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 130, 143]);
    expect(Object.values(EXIT_CODES).sort((a, b) => a - b)).toEqual(table);
  });
});
