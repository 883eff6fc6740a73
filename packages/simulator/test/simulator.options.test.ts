import { InvalidOptionError } from '@omnidim-stream/core';
import { type SimulatorOptions, startSimulator } from '@omnidim-stream/simulator';
import { describe, expect, it } from 'vitest';

describe('option validation', () => {
  it.each<[string, SimulatorOptions]>([
    ['records', { records: -1 }],
    ['records', { records: 1.5 }],
    ['seed', { seed: Number.NaN }],
    ['port', { port: 70_000 }],
    ['pageLatencyMs', { pageLatencyMs: -5 }],
    ['faults.rate', { faults: { rate: 2 } }],
    ['faults.kinds', { faults: { kinds: ['418' as never] } }],
    ['faults.kinds', { faults: { kinds: [] } }],
    ['faults.retryAfterSeconds', { faults: { retryAfterSeconds: -1 } }],
    ['drift.insertPerPage', { drift: { insertPerPage: 0.5 } }],
    ['drift.maxInserted', { drift: { maxInserted: -1 } }],
  ])('rejects a bad %s before listening', async (option, options) => {
    const error = await startSimulator(options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as InvalidOptionError).option).toBe(option);
    expect((error as InvalidOptionError).code).toBe('INVALID_OPTION');
  });

  it('never puts a bad API key in the error', async () => {
    const error = await startSimulator({ apiKey: 'secret with space' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidOptionError);
    expect((error as Error).message).not.toContain('secret');
  });
});
