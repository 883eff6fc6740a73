/**
 * Issue 20: `scripts/test-on-node.ts` (what `pnpm test` uses for Node 22 and 24) runs vitest with
 * the Node major asked for, from the npm registry, says which version ran, and passes vitest's
 * exit code on.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './install/packed-install.js';
import { describeResult, runCommand } from './install/run-command.js';

const SCRIPT = join(ROOT, 'scripts/test-on-node.ts');

function testOnNode(args: string[]) {
  return runCommand(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { cwd: ROOT });
}

describe('scripts/test-on-node.ts', () => {
  it('refuses a Node version that is not a major number: exit 2 with the usage, nothing run', async () => {
    const result = await testOnNode(['latest']);
    expect(result.code, describeResult('test-on-node latest', result)).toBe(2);
    expect(result.stderr).toContain('usage: test-on-node.ts <node major');
    expect(result.stdout).toBe('');
  });

  it('runs the given test file on Node 22 and prints the version that ran', async () => {
    const result = await testOnNode(['22', 'test/install.pinned-recipes.test.ts']);
    expect(result.code, describeResult('test-on-node 22', result)).toBe(0);
    expect(result.stdout).toMatch(/\[test-on-node\] Node v22\.\d+\.\d+ \(/);
    expect(result.stdout).toContain('install.pinned-recipes.test.ts');
    expect(result.stdout).toMatch(/Node v22\.\d+\.\d+: vitest exited 0/);
  }, 180_000);

  it("passes vitest's failure on (a filter matching no test file is exit 1)", async () => {
    const result = await testOnNode(['22', 'test/no-such-file.test.ts']);
    expect(result.code, describeResult('test-on-node 22 (no file)', result)).toBe(1);
  }, 180_000);
});
