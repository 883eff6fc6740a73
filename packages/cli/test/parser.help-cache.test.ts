import { describe, expect, it } from 'vitest';
import { buildParser, type ChosenCommand } from '../src/cli-parser.js';
import { usageOf } from '../src/help-cache.js';
import { runMain } from './helpers.js';

// Goal 5 of issue 21 (start-up before the first request): yargs would lay out the chosen
// command's whole help text on every run, to cache it for a showHelp() the CLI never calls.
describe('parsing a command renders no help text', () => {
  it('export: the command is chosen and no help message is cached', async () => {
    let chosen: ChosenCommand | undefined;
    const parser = buildParser(
      (c) => {
        chosen = c;
      },
      '0.0.0',
      100,
    );
    const error = await new Promise<Error | undefined>((resolve) => {
      parser.parse(['export', '--out', 'lake', '--concurrency', '8'], {}, (e: Error | undefined) =>
        resolve(e),
      );
    });
    expect(error ?? undefined).toBeUndefined();
    expect(chosen?.name).toBe('export');
    expect(chosen?.argv['out']).toBe('lake');
    expect(usageOf(parser)?.hasCachedHelpMessage()).toBe(false);
  });

  it('export --help still prints the whole help', async () => {
    const run = await runMain(['export', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('omnidim-stream export');
    expect(run.stdout).toContain('--concurrency');
    expect(run.stdout).toContain('Examples:');
  });
});
