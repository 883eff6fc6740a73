import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveExportOptions } from '@omnidim-stream/cli';
import type { RunningSimulator } from '@omnidim-stream/simulator';
import { afterEach, describe, expect, it } from 'vitest';
import { duck, runMain, SECRET_KEY, simulator, tempDir } from './helpers.js';

const SCHEDULED = resolve(dirname(fileURLToPath(import.meta.url)), '../../../examples/scheduled');

/** The `export …` arguments of each recipe, as written in the file. */
async function recipeArgs(): Promise<Record<string, string[]>> {
  const crontab = (await readFile(join(SCHEDULED, 'crontab'), 'utf8'))
    .split('\n')
    // The job line: not a comment, not an environment line (PATH=…).
    .find((l) => l.trim() !== '' && !l.startsWith('#') && !/^[A-Z_]+=/.test(l))!;
  const service = (await readFile(join(SCHEDULED, 'omnidim-stream-export.service'), 'utf8'))
    .split('\n')
    .find((l) => l.startsWith('ExecStart='))!;
  const yaml = await readFile(join(SCHEDULED, 'cronjob.yaml'), 'utf8');
  const yamlArgs = yaml
    .slice(yaml.indexOf('args:'))
    .split('\n')
    .slice(1)
    // The list ends at the first line that is not one of its items (`env:`).
    .filter((_l, i, all) => all.slice(0, i + 1).every((x) => x.trim().startsWith('- ')))
    .map((l) => l.trim().slice(2));
  const after = (line: string) =>
    line
      .slice(line.indexOf('omnidim-stream export') + 15)
      .trim()
      .split(/\s+/);
  return { crontab: after(crontab), service: after(service), cronjob: yamlArgs };
}

describe('the scheduling recipes use the incremental flags, and they work', () => {
  let sim: RunningSimulator | undefined;
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await sim?.close();
    sim = undefined;
    for (const c of cleanups.splice(0)) await c();
  });

  it('every recipe passes --state and --lookback, and its flags validate', async () => {
    for (const [name, args] of Object.entries(await recipeArgs())) {
      expect(args[0], name).toBe('export');
      expect(args, name).toContain('--state');
      expect(args, name).toContain('--lookback');
      const argv: Record<string, unknown> = {};
      for (let i = 1; i < args.length; i++) {
        const flag = args[i]!.replace(/^--/, '');
        const next = args[i + 1];
        if (next === undefined || next.startsWith('--')) argv[flag] = flag === 'state' ? '' : true;
        else argv[flag] = args[++i];
      }
      const options = resolveExportOptions(argv, {}, '/');
      expect(options.incremental?.lookbackMs, name).toBe(24 * 3_600_000);
    }
  });

  it('the crontab command, run twice against the simulator, keeps each call once', async () => {
    sim = await simulator({ records: 120 });
    const dir = await tempDir('recipe');
    cleanups.push(dir.remove);
    await writeFile(join(dir.path, 'key'), SECRET_KEY);
    const { crontab } = await recipeArgs();
    const args = (crontab ?? []).map((a) =>
      a === '/srv/lake' ? join(dir.path, 'lake') : a === '/etc/omnidim/api-key' ? join(dir.path, 'key') : a,
    );
    for (let run = 0; run < 2; run++) {
      const result = await runMain(args, { env: { OMNIDIM_BASE_URL: sim.url } });
      expect(result.code).toBe(0);
      sim.insertCalls(4);
    }
    const [row] = await duck(
      `SELECT count(*) AS n, count(DISTINCT id) AS d FROM read_parquet('${join(dir.path, 'lake')}/calls/**/*.parquet')`,
    );
    expect([Number(row!['n']), Number(row!['d'])]).toEqual([124, 124]);
  });
});
