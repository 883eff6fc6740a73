/**
 * The packed-tarball cache (test/install/packed-tarballs-cache.ts) is only as good as its key:
 * a change to anything that builds a tarball must give a new key, or the install test would
 * install the tarballs of older sources and pass on code that no longer exists.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './e2e/harness/scenario.js';
import { packInputsKey } from './install/packed-tarballs-cache.js';

describe('packInputsKey', () => {
  let work: Awaited<ReturnType<typeof tempDir>>;
  const file = (path: string) => join(work.path, path);

  beforeAll(async () => {
    work = await tempDir('pack-key');
    await mkdir(file('packages/core/src/deep'), { recursive: true });
    await mkdir(file('packages/core/test'), { recursive: true });
    await mkdir(file('packages/core/dist'), { recursive: true });
    for (const [path, text] of Object.entries({
      'package.json': '{"packageManager":"pnpm@10.34.9"}',
      'pnpm-lock.yaml': 'lockfileVersion: 9.0\n',
      'tsconfig.base.json': '{}',
      'packages/core/package.json': '{"name":"@x/core"}',
      'packages/core/tsconfig.build.json': '{}',
      'packages/core/src/index.ts': 'export const a = 1;\n',
      'packages/core/src/deep/b.ts': 'export const b = 2;\n',
      'packages/core/test/a.test.ts': 'test\n',
      'packages/core/dist/index.js': 'built\n',
    })) {
      await writeFile(file(path), text);
    }
  });
  afterAll(async () => {
    await work?.remove();
  });

  it('changes with any packed or build input, byte for byte, and not with tests or build output', async () => {
    const seen = new Set<string>([packInputsKey(work.path)]);
    const changes: Array<[string, string]> = [
      ['packages/core/src/deep/b.ts', 'export const b = 3;\n'],
      ['packages/core/src/index.ts', 'export const a = 2;\n'],
      ['packages/core/package.json', '{"name":"@x/core","version":"0.2.0"}'],
      ['packages/core/tsconfig.build.json', '{"compilerOptions":{}}'],
      ['tsconfig.base.json', '{"compilerOptions":{}}'],
      ['pnpm-lock.yaml', 'lockfileVersion: 9.1\n'],
      ['package.json', '{"packageManager":"pnpm@10.35.0"}'],
      ['packages/core/src/new-file.ts', ''],
    ];
    for (const [path, text] of changes) {
      await writeFile(file(path), text);
      const key = packInputsKey(work.path);
      expect(seen.has(key), `${path} changed, the key did not`).toBe(false);
      seen.add(key);
    }
    const before = packInputsKey(work.path);
    await writeFile(file('packages/core/test/a.test.ts'), 'another test\n');
    await writeFile(file('packages/core/dist/index.js'), 'rebuilt\n');
    expect(packInputsKey(work.path)).toBe(before);
  });
});
