/**
 * Issue 21, memory: the CLI caps V8's young generation at YOUNG_SEMI_SPACE_MB per semi-space
 * (young-generation.ts), where Node's own default lets it reach 16 MB (32 MB of new space), and
 * a young-generation flag given to node wins. Each case runs a fresh node that allocates with
 * survivors; the sizes come from V8's heap statistics, the expected ones from V8's documented
 * defaults (1 MB initial semi-space, 16 MB maximum on 64-bit).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { growthFactorFor, hasYoungGenerationFlag } from '../src/young-generation.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/young-generation-churn.ts', import.meta.url));
const MB = 1024 * 1024;

async function churn(mode: 'cap' | 'none', nodeFlags: string[] = []) {
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', FIXTURE, mode], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const code = await new Promise((resolve) => child.on('close', resolve));
  expect(code, stderr).toBe(0);
  return JSON.parse(stdout) as { set: boolean; largest: number };
}

describe('the young-generation cap', { timeout: 120_000 }, () => {
  it('keeps the new space at two 8 MB semi-spaces where V8 alone grows it past that', async () => {
    const uncapped = await churn('none');
    // The check can fail: without the cap this workload makes V8 grow the new space past 16 MB.
    expect(uncapped.largest).toBeGreaterThan(24 * MB);
    const capped = await churn('cap');
    expect(capped.set).toBe(true);
    // Two 8 MB semi-spaces: 16.0 MB on Node 20 and 22; Node 24's V8 counts more in the new
    // space's size (18.5–18.8 MB measured on 24.x, 20.5 MB once on 24.21.0 in CI: the cap is
    // applied between tasks, so a synchronous stretch can add a page; uncapped it reaches 128 MB
    // there). On Node 20 and 22: below the 24 MB that the uncapped run above must exceed. On
    // Node 24 a loaded machine stretches the synchronous runs between two steerings further
    // (34.8 MB once in the clean-clone run of 2026-12-01, against 128 MB uncapped), so there the
    // bound is half of what the same workload reaches uncapped: a cap that does nothing fails it.
    expect(capped.largest).toBeGreaterThan(12 * MB);
    const major = Number(process.versions.node.split('.')[0]);
    expect(capped.largest).toBeLessThan(major >= 24 ? uncapped.largest / 2 : 24 * MB);
  });

  it("a young-generation flag given to node wins: the CLI sets nothing and node's own cap holds", async () => {
    const own = await churn('cap', ['--max-semi-space-size=2']);
    expect(own.set).toBe(false);
    // Two 2 MB semi-spaces: 4.0 MB on Node 20 and 22; Node 24 counts 4.75–6.75 MB and once 14.5 MB
    // (CI 2026-12-01, a synchronous stretch between the checks). Below the 24 MB that V8 alone
    // exceeds in the test above, whatever the Node; `set` false is the CLI setting nothing.
    expect(own.largest).toBeLessThan(24 * MB);
    expect(hasYoungGenerationFlag(['--semi_space_growth_factor=3'])).toBe(true);
    expect(hasYoungGenerationFlag(['--max-old-space-size=96'])).toBe(false);
  });

  it('grows in one step to the cap, then not at all', () => {
    expect(growthFactorFor(1 * MB, 8 * MB)).toBe(8);
    expect(growthFactorFor(2 * MB, 8 * MB)).toBe(4);
    expect(growthFactorFor(8 * MB, 8 * MB)).toBe(1);
    expect(growthFactorFor(16 * MB, 8 * MB)).toBe(1);
  });
});
