// The repository is self-contained: no tracked file of code refers to a path outside the checkout
// (the developers' notes beside it, or a folder of the machine a test was written on).

import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CODE = /\.(ts|mts|cts|js|mjs|cjs|py|sh|json|yml|yaml)$|^\.ci\/|^\.mocharc/;
// Built from parts so that this file does not match itself.
const OUTSIDE = new RegExp(['\\.\\./' + 'shared\\b', '(^|[^\\w.])/(work|home|root|Users)/', 'shared/' + 'spec\\b', 'shared/' + 'twilio\\b'].join('|'));
const SKIP_DIRS = new Set(['node_modules', '.git', '.data', '.test-data', '.build', 'tmp']);

function trackedFiles(): string[] {
  try {
    return execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .split('\0')
      .filter(Boolean);
  } catch {
    // Not a git checkout (an unpacked archive): walk the folder instead.
    const out: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        if (SKIP_DIRS.has(name)) continue;
        const p = join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else out.push(relative(ROOT, p));
      }
    };
    walk(ROOT);
    return out;
  }
}

describe('repository: self-contained', () => {
  it('no code, test or script refers to a file outside the repository', () => {
    const files = trackedFiles().filter((f) => CODE.test(f) && !f.startsWith('test/fixtures/') && f !== 'package-lock.json');
    expect(files.length).to.be.greaterThan(50);
    const hits: string[] = [];
    for (const f of files) {
      let text: string;
      try {
        text = readFileSync(join(ROOT, f), 'utf8');
      } catch {
        continue; // deleted in the work tree but still tracked
      }
      text.split('\n').forEach((line, i) => {
        if (OUTSIDE.test(line)) hits.push(`${f}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(hits).to.deep.equal([]);
  });
});
