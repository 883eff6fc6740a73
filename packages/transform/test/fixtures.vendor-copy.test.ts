import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The tests read verbatim copies of the vendor's example page so they run from a clean clone.
// The copies must agree with each other everywhere (that needs nothing outside the repo), and
// with the shared original wherever it sits beside the checkout. CI provides the shared folder:
// there a missing original is a failure, not a skip, or the check would silently stop running.
const shared = fileURLToPath(new URL('../../../../shared/api/example-page.json', import.meta.url));
const transformCopy = new URL('./fixtures/example-page.json', import.meta.url);
const simulatorCopy = new URL('../../simulator/test/fixtures/example-page.json', import.meta.url);
const inCi = Boolean(process.env['CI']);

describe('example-page fixture', () => {
  it('the transform and simulator copies are byte-for-byte the same', () => {
    expect(readFileSync(simulatorCopy).equals(readFileSync(transformCopy))).toBe(true);
  });

  it.skipIf(!inCi && !existsSync(shared))(
    'is a byte-for-byte copy of ../shared/api/example-page.json',
    () => {
      expect(existsSync(shared), `CI is set but ${shared} is missing: the copies cannot be checked`).toBe(
        true,
      );
      expect(readFileSync(transformCopy).equals(readFileSync(shared))).toBe(true);
    },
  );
});
