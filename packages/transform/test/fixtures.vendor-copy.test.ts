import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The tests read a verbatim copy of the vendor's example page so they run from a clean clone;
// where the shared folder sits beside the checkout, check the copy has not drifted from it.
const shared = fileURLToPath(new URL('../../../../shared/api/example-page.json', import.meta.url));

describe('example-page fixture', () => {
  it.skipIf(!existsSync(shared))('is a byte-for-byte copy of ../shared/api/example-page.json', () => {
    const copy = readFileSync(new URL('./fixtures/example-page.json', import.meta.url));
    const simulatorCopy = readFileSync(
      new URL('../../simulator/test/fixtures/example-page.json', import.meta.url),
    );
    expect(copy.equals(readFileSync(shared))).toBe(true);
    expect(simulatorCopy.equals(copy)).toBe(true);
  });
});
