// `npm install` must not warn EBADENGINE: every installed package runs on the Node versions the
// project declares (package.json engines), checked against the lockfile.
import { readFile } from 'node:fs/promises';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

describe('engines', () => {
  it('every package in the lockfile supports the declared minimum Node and this one', async () => {
    const pkg = JSON.parse(await readFile('package.json', 'utf8')) as { engines: { node: string } };
    const lock = JSON.parse(await readFile('package-lock.json', 'utf8')) as {
      packages: Record<string, { engines?: { node?: string } | string[]; optional?: boolean }>;
    };
    const minimum = semver.minVersion(pkg.engines.node)?.version as string;
    expect(semver.satisfies(process.version, pkg.engines.node)).toBe(true);
    const unsupported = Object.entries(lock.packages)
      .filter(([name, info]) => name !== '' && info.engines && !Array.isArray(info.engines) && info.engines.node)
      .filter(([, info]) => {
        const range = (info.engines as { node: string }).node;
        return !semver.satisfies(minimum, range) || !semver.satisfies(process.version, range);
      })
      .map(([name, info]) => `${name} wants node ${(info.engines as { node: string }).node}`);
    expect(unsupported).toEqual([]);
  });
});
