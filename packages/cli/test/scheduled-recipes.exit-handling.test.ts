/**
 * The recipes handle the exit codes the way README's "Exit codes" table says a scheduler should
 * (issue 19): 8 (locked) is a skip, 2 and 3 are never retried, the rest are. The sets are read
 * from the README table and compared with literal numbers, then each recipe is read structurally
 * (no YAML parser is installed, and none is added for one test): systemd's Restart= keys, the
 * CronJob's podFailurePolicy rules, resources, deadline and securityContext, the crontab's
 * syntax and absolute paths. A recipe edit that drops one of these fails here.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const SCHEDULED = join(ROOT, 'examples/scheduled');

/** README's exit-code rows: code → what a scheduler should do. */
async function readmeActions(): Promise<Map<number, string>> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const rows = new Map<number, string>();
  for (const match of readme.matchAll(/^\| (\d+) \| [^|]* \| ([^|]*) \|$/gm)) {
    rows.set(Number(match[1]), match[2] ?? '');
  }
  return rows;
}

/** `key=value` lines of a unit file (the last one wins, as in systemd). */
function unitKeys(text: string): Map<string, string> {
  const keys = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (match) keys.set(match[1] ?? '', match[2] ?? '');
  }
  return keys;
}

/** The CronJob's podFailurePolicy rules: action and exit codes (or pod condition types). */
function podFailureRules(
  yaml: string,
): { action: string; codes: number[]; container?: string; conditions: string[] }[] {
  const block = /^( +)podFailurePolicy:\n((?:\1 +.*\n)+)/m.exec(yaml)?.[2] ?? '';
  return block
    .split(/\n(?= +- action:)/)
    .filter((rule) => rule.includes('action:'))
    .map((rule) => ({
      action: /action: (\w+)/.exec(rule)?.[1] ?? '',
      codes: (/values: \[([^\]]*)\]/.exec(rule)?.[1] ?? '')
        .split(',')
        .filter((v) => v.trim() !== '')
        .map(Number),
      ...(/containerName: (\S+)/.exec(rule)?.[1]
        ? { container: /containerName: (\S+)/.exec(rule)?.[1] }
        : {}),
      conditions: [...rule.matchAll(/- type: (\w+)/g)].map((m) => m[1] ?? ''),
    }));
}

/** `key: value` at any depth (first occurrence). */
function yamlValue(yaml: string, key: string): string | undefined {
  return new RegExp(`^ *${key}: *(.+)$`, 'm').exec(yaml)?.[1]?.trim();
}

describe('the scheduled recipes handle exit codes as README says', () => {
  it('README: 8 is a skip; 2 and 3 are not worth retrying', async () => {
    const actions = await readmeActions();
    const noRetry = [...actions].filter(([, a]) => /retrying won't help/.test(a)).map(([c]) => c);
    const skip = [...actions].filter(([, a]) => a.startsWith('skip')).map(([c]) => c);
    expect(noRetry).toEqual([2, 3]);
    expect(skip).toEqual([8]);
  });

  it('systemd: restarts on failure, never on 2, 3 or 8; 8 is a success; memory is capped', async () => {
    const keys = unitKeys(await readFile(join(SCHEDULED, 'omnidim-stream-export.service'), 'utf8'));
    expect(keys.get('Restart')).toBe('on-failure');
    const prevent = (keys.get('RestartPreventExitStatus') ?? '').split(/\s+/).map(Number);
    expect(prevent).toEqual(expect.arrayContaining([2, 3, 8]));
    expect(prevent).not.toContain(4);
    expect(prevent).not.toContain(5);
    expect((keys.get('SuccessExitStatus') ?? '').split(/\s+/)).toContain('8');
    expect(keys.get('MemoryMax')).toMatch(/^\d+[KMG]$/);
    expect(keys.get('RestartSec')).toBeTruthy();
    expect(keys.get('StartLimitBurst')).toMatch(/^\d+$/);
    expect(keys.get('ExecStart')).toMatch(/^\/\S*\/omnidim-stream export /);
  });

  it('CronJob: exit 8 → Ignore, 2 and 3 → FailJob, for the export container; bounded and locked down', async () => {
    const yaml = await readFile(join(SCHEDULED, 'cronjob.yaml'), 'utf8');
    const rules = podFailureRules(yaml);
    const byCode = (code: number) => rules.find((r) => r.codes.includes(code));
    expect(byCode(8)).toMatchObject({ action: 'Ignore', container: 'export' });
    expect(byCode(2)).toMatchObject({ action: 'FailJob', container: 'export' });
    expect(byCode(3)).toMatchObject({ action: 'FailJob', container: 'export' });
    for (const retried of [1, 4, 5, 6]) expect(byCode(retried)).toBeUndefined();
    expect(rules.some((r) => r.action === 'Ignore' && r.conditions.includes('DisruptionTarget'))).toBe(true);
    // podFailurePolicy requires it.
    expect(yamlValue(yaml, 'restartPolicy')).toBe('Never');
    expect(yaml).toMatch(/^ +- name: export$/m);
    const deadline = Number(yamlValue(yaml, 'activeDeadlineSeconds'));
    expect(deadline).toBeGreaterThan(0);
    expect(deadline).toBeLessThan(3600); // under the hourly schedule
    expect(yamlValue(yaml, 'schedule')).toBe('"0 * * * *"');
    expect(/limits:\n +memory: \S+/.test(yaml)).toBe(true);
    expect(/requests:\n +cpu: \S+\n +memory: \S+/.test(yaml)).toBe(true);
    expect(yamlValue(yaml, 'runAsNonRoot')).toBe('true');
    expect(yamlValue(yaml, 'allowPrivilegeEscalation')).toBe('false');
    expect(yamlValue(yaml, 'readOnlyRootFilesystem')).toBe('true');
  });

  it('crontab: says it is /etc/cron.d syntax, has the user field, and uses absolute paths', async () => {
    const text = await readFile(join(SCHEDULED, 'crontab'), 'utf8');
    expect(text).toMatch(/^# \/etc\/cron\.d\//);
    const lines = text.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    const path = lines.find((l) => l.startsWith('PATH='));
    expect(
      path
        ?.split('=')[1]
        ?.split(':')
        .every((d) => d.startsWith('/')),
    ).toBe(true);
    const job = lines.find((l) => !/^[A-Z_]+=/.test(l))?.split(/\s+/) ?? [];
    expect(job[5]).toBe('omnidim'); // the user field of system crontab syntax
    expect(job[6]).toMatch(/^\/\S*\/omnidim-stream$/);
  });
});
