// The file rule of CONTRIBUTING.md: every model and model extension of the registry is declared in
// `models/<odoo addon>/<model name with underscores>.ts`, by the addon that loads it, and that file
// declares nothing else.

import { expect } from 'chai';
import { existsSync, readdirSync } from 'node:fs';
import { ADDONS } from '../../models/index.ts';
import { Registry } from '../../models/orm/registry.ts';
import type { ModelSpec } from '../../models/orm/model.ts';

const MODELS_DIR = new URL('../../models/', import.meta.url);

function isSpec(v: unknown): v is ModelSpec {
  return !!v && typeof v === 'object' && typeof (v as ModelSpec)._name === 'string' && ('fields' in (v as object) || 'methods' in (v as object) || '_inherit' in (v as object) || '_description' in (v as object));
}

/** Same declaration: name, parents, fields and methods (module instances may differ under the test loader). */
function sameSpec(a: ModelSpec, b: ModelSpec): boolean {
  const sig = (s: ModelSpec) => JSON.stringify([s._name, s._inherit ?? null, Object.keys(s.fields ?? {}), Object.keys(s.methods ?? {})]);
  return sig(a) === sig(b);
}

async function specsOf(url: URL): Promise<ModelSpec[]> {
  const mod = (await import(url.href)) as Record<string, unknown>;
  return Object.values(mod).filter(isSpec);
}

describe('repository: one model or model extension per file, named after the model', () => {
  it('every model of the registry comes from a file named after it, in the folder of its addon', async () => {
    const registry = new Registry('postgresql://nobody@127.0.0.1:1/none', [], { addons: ADDONS }).build();
    const problems: string[] = [];
    const declared = new Set<string>();
    for (const addon of registry.addons) {
      for (const spec of addon.models) {
        declared.add(spec._name);
        const rel = `${addon.name}/${spec._name.replace(/\./g, '_')}.ts`;
        const url = new URL(rel, MODELS_DIR);
        if (!existsSync(url)) {
          problems.push(`${spec._name} (addon ${addon.name}): no file models/${rel}`);
          continue;
        }
        const specs = await specsOf(url);
        if (!specs.some((s) => sameSpec(s, spec))) problems.push(`${spec._name} (addon ${addon.name}): models/${rel} does not declare it`);
        for (const other of specs) if (other._name !== spec._name) problems.push(`models/${rel} also declares ${other._name}`);
      }
    }
    for (const name of registry.models.keys()) if (!declared.has(name)) problems.push(`${name}: in the registry but declared by no addon`);
    expect(problems).to.deep.equal([]);
    expect(registry.models.size).to.be.greaterThan(40);
  });

  it('every model declared in an addon folder is loaded by that addon', async () => {
    const problems: string[] = [];
    for (const addon of ADDONS) {
      const dir = new URL(`${addon.name}/`, MODELS_DIR);
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'index.ts')) {
        for (const spec of await specsOf(new URL(file, dir))) {
          if (!addon.models.some((s) => sameSpec(s, spec))) problems.push(`models/${addon.name}/${file}: ${spec._name} is not in the addon's models`);
        }
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it('addons load after the addons they depend on, base first', () => {
    const names = ADDONS.map((a) => a.name);
    expect(names[0]).to.equal('base');
    for (const a of ADDONS) for (const dep of a.depends) expect(names.indexOf(dep), `${a.name} → ${dep}`).to.be.lessThan(names.indexOf(a.name));
  });
});
