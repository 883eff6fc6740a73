import { readFile } from 'node:fs/promises';
import { SCHEMAS } from '@omnidim-stream/transform';
import { describe, expect, it } from 'vitest';
import { generateRowTypes, ROWS_FILE } from '../scripts/generate-row-types.js';

describe('packages/transform/src/rows.generated.ts', () => {
  it('is the generated text of the declared schemas (run `pnpm gen:rows` when this fails)', async () => {
    const onDisk = await readFile(ROWS_FILE, 'utf8');
    expect(onDisk).toBe(generateRowTypes());
  });

  it('types each column from its logical type and nullability', async () => {
    const onDisk = await readFile(ROWS_FILE, 'utf8');
    // Spot checks written by hand from schemas.ts, not computed by the generator.
    expect(onDisk).toMatch(/export type CallsRow = \{[^}]*\n {2}id: number;\n/);
    expect(onDisk).toMatch(/\n {2}time_of_call: Date \| null;\n/);
    expect(onDisk).toMatch(/export type FunctionCallsRow = \{/);
    expect(onDisk).toMatch(/\n {2}function_calls: FunctionCallsRow\[\];\n/);
    // Every declared column of every table has its line.
    for (const schema of Object.values(SCHEMAS)) {
      for (const column of schema.columns) expect(onDisk).toContain(`\n  ${column.name}: `);
    }
  });
});
