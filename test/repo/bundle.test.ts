// `npm start` runs a bundle and each rebuild deletes the files of earlier builds (server/start.mjs):
// safe only while a running server never loads a file of its own code after it has started.

import { expect } from 'chai';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LAZY_LOCAL_IMPORT = /\bimport\(\s*['"`]\.{1,2}\//;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.(ts|mts|mjs)$/.test(name) ? [p] : [];
  });
}

describe('repository: the server bundle', () => {
  it('bundled code imports its own modules statically, never lazily', () => {
    const hits: string[] = [];
    for (const f of ['server', 'models', 'rpc', 'data'].flatMap((d) => sources(join(ROOT, d)))) {
      readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
        if (LAZY_LOCAL_IMPORT.test(line)) hits.push(`${relative(ROOT, f)}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(hits).to.deep.equal([]);
  });
});
