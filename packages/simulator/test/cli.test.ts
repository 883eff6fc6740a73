import { runSimulatorCli } from '@omnidim-stream/simulator';
import { describe, expect, it } from 'vitest';

function io(env: Record<string, string> = {}) {
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  let printed!: (text: string) => void;
  const firstOutput = new Promise<string>((resolve) => {
    printed = resolve;
  });
  const state = { stdout: '', stderr: '', exitCode: undefined as number | undefined };
  return {
    state,
    stop,
    firstOutput,
    io: {
      stdout: {
        write: (t: string) => {
          state.stdout += t;
          printed(state.stdout);
        },
      },
      stderr: { write: (t: string) => (state.stderr += t) },
      env,
      stopped: () => stopped,
      setExitCode: (code: number) => {
        state.exitCode = code;
      },
    },
  };
}

describe('omnidim-simulator CLI', () => {
  it.each([
    [['--nope'], '--nope'],
    [['--port', '70000'], '--port'],
    [['--port', 'abc'], '--port'],
    [['--records', '-3'], '--records'],
    [['--faults', '503,teapot'], '--faults'],
    [['--fault-rate', '3'], '--fault-rate'],
    [['--latency'], '--latency'],
  ])('%j exits with code 2 and a message naming %s', async (argv, flag) => {
    const t = io();
    await runSimulatorCli(argv, t.io);
    expect(t.state.exitCode).toBe(2);
    expect(t.state.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(t.state.stderr.split('(usage:')[0]).toContain(flag);
    expect(t.state.stdout).toBe('');
  });

  it('prints the base URL and key, serves until stopped, then closes', async () => {
    const t = io({ OMNIDIM_SIM_API_KEY: 'env-key-1' });
    const done = runSimulatorCli(
      ['--records', '7', '--seed', '3', '--faults', '503', '--fault-rate', '0'],
      t.io,
    );
    const out = await t.firstOutput;
    const url = /(http:\/\/127\.0\.0\.1:\d+\/api\/v1)/.exec(out)?.[1];
    expect(url).toBeDefined();
    expect(out).toContain('env-key-1');
    const res = await fetch(`${url}/calls/logs`, { headers: { authorization: 'Bearer env-key-1' } });
    expect(((await res.json()) as { total_records: number }).total_records).toBe(7);
    t.stop();
    await done;
    expect(t.state.exitCode).toBeUndefined();
    await expect(fetch(`${url}/calls/logs`)).rejects.toThrow();
  });
});
