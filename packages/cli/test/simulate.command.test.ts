import { main } from '@omnidim-stream/cli';
import { describe, expect, it } from 'vitest';
import { runMain } from './helpers.js';

describe('omnidim-stream simulate', () => {
  it('serves the API on 127.0.0.1 until aborted, printing the URL and key on stdout', async () => {
    const controller = new AbortController();
    let stdout = '';
    let served: Response | undefined;
    const code = await main(['simulate', '--records', '25', '--seed', '9', '--quiet'], {
      env: {},
      signal: controller.signal,
      stderr: { write: () => true },
      stdout: {
        write: (chunk: string) => {
          stdout += chunk;
          const url = /OMNIDIM_BASE_URL=(\S+)/.exec(stdout)?.[1];
          const key = /OMNIDIM_API_KEY=(\S+)/.exec(stdout)?.[1];
          if (url && key) {
            fetch(`${url}/calls/logs?pageno=1&pagesize=5`, { headers: { authorization: `Bearer ${key}` } })
              .then((res) => {
                served = res;
              })
              .finally(() => controller.abort('SIGINT'));
          }
          return true;
        },
      },
    });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^OMNIDIM_BASE_URL=http:\/\/127\.0\.0\.1:\d+\/api\/v1$/m);
    expect(served?.status).toBe(200);
    const body = (await served!.json()) as { total_records: number; call_log_data: unknown[] };
    expect(body.total_records).toBe(25);
    expect(body.call_log_data).toHaveLength(5);
  });

  it('a bad fault kind is exit 2 naming --fault-kinds', async () => {
    const run = await runMain(['simulate', '--fault-kinds', '429,teapot']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--fault-kinds');
  });
});
