/**
 * Issue 20: every install the README and the scheduling recipes show is pinned to the packages'
 * version, and none runs `npx @omnidim-stream/…`, which exists on no registry.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, tarballName, workspacePackages } from './install/packed-install.js';

const PACKAGES = workspacePackages();
const VERSION = PACKAGES.find((p) => p.dir === 'cli')!.version;
const SCHEDULED = join(ROOT, 'examples/scheduled');
const FILES: Record<string, string> = {
  'README.md': readFileSync(join(ROOT, 'README.md'), 'utf8'),
  ...Object.fromEntries(
    readdirSync(SCHEDULED).map((f) => [`examples/scheduled/${f}`, readFileSync(join(SCHEDULED, f), 'utf8')]),
  ),
};

/** Versions named by tarball globs (`omnidim-stream-*-0.1.0.tgz`) and image tags (`omnidim-stream:0.1.0`). */
function pinnedVersions(text: string): string[] {
  return [
    ...text.matchAll(/omnidim-stream(?:-[\w*]+)?-(\d+\.\d+\.\d+)\.tgz|omnidim-stream:(\d+\.\d+\.\d+)/g),
  ].map((m) => m[1] ?? m[2]!);
}

describe(`installs in the README and examples/scheduled are pinned to ${VERSION}`, () => {
  it.each(Object.keys(FILES))('%s runs no npx of an @omnidim-stream package', (file) => {
    expect(FILES[file]).not.toMatch(/npx[^\n]*@omnidim-stream\//);
  });

  it('every tarball and image named is of the current version, and each install recipe names one', () => {
    for (const [file, text] of Object.entries(FILES)) {
      for (const version of pinnedVersions(text)) expect(version, file).toBe(VERSION);
    }
    for (const file of ['README.md', 'examples/scheduled/Dockerfile', 'examples/scheduled/cronjob.yaml']) {
      expect(pinnedVersions(FILES[file]!).length, file).toBeGreaterThan(0);
    }
  });

  it("the Dockerfile's COPY takes every package's tarball, and the CronJob runs the image it builds", () => {
    const docker = FILES['examples/scheduled/Dockerfile']!;
    const glob = /^COPY (\S+\.tgz) /m.exec(docker)?.[1] ?? '';
    const pattern = new RegExp(`^${glob.replaceAll('.', '\\.').replaceAll('*', '[^/]*')}$`);
    for (const pkg of PACKAGES) expect(tarballName(pkg), glob).toMatch(pattern);
    const tag = /docker build .* -t (\S+) /.exec(docker)?.[1];
    expect(FILES['examples/scheduled/cronjob.yaml']).toContain(`image: ${tag}\n`);
  });
});
