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

  it('runs Node 22 and 24 side by side: each log printed whole between its markers, both versions and exits said', async () => {
    const result = await testOnNode(['22,24', 'test/install.pinned-recipes.test.ts']);
    expect(result.code, describeResult('test-on-node 22,24', result)).toBe(0);
    for (const major of ['22', '24']) {
      const other = major === '22' ? '24' : '22';
      const start = result.stdout.indexOf(`===== Node ${major}: output =====`);
      const end = result.stdout.indexOf(`===== Node ${major}: end (exit 0) =====`);
      expect(start, result.stdout).toBeGreaterThanOrEqual(0);
      expect(end, result.stdout).toBeGreaterThan(start);
      const block = result.stdout.slice(start, end);
      // One Node's log, whole: its own version and vitest's result, nothing of the other's.
      expect(block).toMatch(new RegExp(`Node v${major}\\.\\d+\\.\\d+: vitest exited 0`));
      expect(block).toContain('install.pinned-recipes.test.ts');
      expect(block).not.toMatch(new RegExp(`Node v${other}\\.`));
      expect(result.stdout).toMatch(new RegExp(`summary: Node v${major}\\.\\d+\\.\\d+: exit 0`));
    }
  }, 300_000);

  it('side by side, a failure on either Node is the exit code (a filter matching no test file: 1)', async () => {
    const result = await testOnNode(['22,24', 'test/no-such-file.test.ts']);
    expect(result.code, describeResult('test-on-node 22,24 (no file)', result)).toBe(1);
    expect(result.stdout).toMatch(/summary: Node v22\.\d+\.\d+: exit 1/);
    expect(result.stdout).toMatch(/summary: Node v24\.\d+\.\d+: exit 1/);
  }, 300_000);
});
