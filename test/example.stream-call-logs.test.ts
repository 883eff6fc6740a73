import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generateHistory } from '@omnidim-stream/simulator';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

describe('examples/stream-call-logs.ts', () => {
  it('streams every call of the built-in simulator and prints counts that match its history', async () => {
    const env = { ...process.env };
    delete env.OMNIDIM_API_KEY;
    const { stdout } = await run(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', 'examples/stream-call-logs.ts'],
      { cwd: root, env, timeout: 60_000 },
    );

    // The example starts the simulator with seed 7 and 1,000 records; recompute the expected
    // figures from the generator itself rather than from the example's own code.
    const history = generateHistory(7, 1_000);
    const interactions = history.reduce(
      (sum, log) => sum + (Array.isArray(log.interactions) ? log.interactions.length : 0),
      0,
    );
    const completed = history.filter((log) => log.call_status === 'completed').length;

    expect(stdout).toMatch(/^call logs: 1000 in \d+ pages \(0 retries\)$/m);
    expect(stdout).toContain(`interactions: ${interactions}\n`);
    expect(stdout).toContain(`  completed: ${completed}\n`);
  });
});
