import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { README, withGeneratedSchema } from '../scripts/readme-schema.js';

describe('README schema section', () => {
  it('is the generated text of the declared schemas (run `pnpm docs:schema` when this fails)', async () => {
    const readme = await readFile(README, 'utf8');
    expect(readme).toBe(withGeneratedSchema(readme));
    // Spot-check that the section really is the schema and not an empty block.
    expect(readme).toMatch(/### calls \(version \d+\)/);
    expect(readme).toContain('| `time_of_call` | timestamp |');
  });
});
