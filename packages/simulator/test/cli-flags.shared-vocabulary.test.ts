import { runSimulatorCli, SIMULATOR_FLAGS, simulatorOptionsFromFlags } from '@omnidim-stream/simulator';
import { describe, expect, it } from 'vitest';

describe('one flag vocabulary for omnidim-simulator and omnidim-stream simulate', () => {
  it('maps each flag, under its name or its old alias, onto the same option', () => {
    const byName = simulatorOptionsFromFlags({
      'fault-kinds': '503',
      'drift-insert-per-page': '2',
      'sim-key': 'k1',
    });
    const byAlias = simulatorOptionsFromFlags({ faults: '503', 'drift-insert': '2', 'api-key': 'k1' });
    // Written out by hand: kinds alone imply a 0.1 rate (omnidim-simulator's rule, now both CLIs').
    const expected = { faults: { rate: 0.1, kinds: ['503'] }, drift: { insertPerPage: 2 }, apiKey: 'k1' };
    expect(byName).toEqual(expected);
    expect(byAlias).toEqual(expected);
    expect(
      simulatorOptionsFromFlags({ 'retry-after': '3', 'drift-delete-per-page': '1', latency: '2.5' }),
    ).toEqual({ faults: { retryAfterSeconds: 3 }, drift: { deletePerPage: 1 }, pageLatencyMs: 2.5 });
  });

  it('names the flag as typed when its value is bad', () => {
    expect(() => simulatorOptionsFromFlags({ faults: 'teapot' })).toThrow(/"--faults"/);
    expect(() => simulatorOptionsFromFlags({ 'fault-kinds': 'teapot' })).toThrow(/"--fault-kinds"/);
    expect(() => simulatorOptionsFromFlags({ records: '-3' })).toThrow(/"--records"/);
  });

  it('omnidim-simulator accepts every declared flag (flags it lacked before: --retry-after, --drift-delete-per-page)', async () => {
    const argv = SIMULATOR_FLAGS.flatMap((f) =>
      f.type === 'boolean'
        ? [`--${f.name}`]
        : f.name === 'fault-kinds'
          ? ['--fault-kinds', '503']
          : f.name === 'sim-key'
            ? ['--sim-key', 'k2']
            : [`--${f.name}`, '0'],
    );
    let printed!: (text: string) => void;
    const out = new Promise<string>((resolve) => {
      printed = resolve;
    });
    let stderr = '';
    let exitCode: number | undefined;
    const done = runSimulatorCli(argv, {
      stdout: { write: (t: string) => printed(t) },
      stderr: { write: (t: string) => (stderr += t) },
      env: {},
      stopped: () => out.then(() => undefined),
      setExitCode: (code) => {
        exitCode = code;
      },
    });
    await Promise.race([out, done]);
    await done;
    expect(stderr).toBe('');
    expect(exitCode).toBeUndefined();
    expect(await out).toContain('API key: k2');
  });
});
