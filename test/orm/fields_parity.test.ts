// Every model we serve that Odoo 19 exported answers fields_get like Odoo 19, field for field,
// except the deviations listed (with their reason and the issue removing them) in
// test/orm/known_deviations.json.

import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { exportedModels, fieldModules, readFieldsExport } from '../helpers/odoo19.ts';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { MODELS } from '../../models/index.ts';

const ATTRS = ['type', 'string', 'relation', 'relation_field', 'required', 'readonly', 'store', 'selection', 'searchable', 'sortable', 'groupable', 'related', 'depends', 'translate'];

/**
 * Chatter, activity, website and rating plumbing of mail's mixins (mail.thread, mail.activity.mixin,
 * extended by portal, rating, website and sms's message_has_sms_error), which we do not re-implement.
 * `_modules.json` names the host model's module for mixin fields of models defined with the mixin,
 * so each name left out must come only from MIXIN_MODULES on at least one exported model.
 * (`message_id` is mailing.trace's own Message-ID.) Plumbing fields we do declare are compared.
 */
const PLUMBING = /^(message_(?!id$)|activity_|website_|rating_|my_activity_date_deadline$|has_message$)/;
const MIXIN_MODULES = new Set(['mail', 'portal', 'rating', 'website', 'sms']);

interface Deviation {
  model: string;
  field: string;
  /** Only this attribute differs; without it, the field is missing or differs in several. */
  attribute?: string;
  reason: string;
  /** The issue that removes it; null for a deliberate, lasting difference. */
  issue: number | null;
}

export const DEVIATIONS = JSON.parse(readFileSync(new URL('./known_deviations.json', import.meta.url), 'utf8')) as Deviation[];

function problemsOf(odoo: Record<string, Record<string, unknown>>, ours: Record<string, Record<string, unknown>>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, desc] of Object.entries(odoo)) {
    if (PLUMBING.test(name) && !ours[name]) continue;
    if (!ours[name]) {
      out.set(name, ['missing']);
      continue;
    }
    const diffs: string[] = [];
    for (const attr of ATTRS) {
      if (!(attr in desc)) continue;
      const a = JSON.stringify(ours[name][attr] ?? (attr === 'depends' ? [] : undefined));
      const b = JSON.stringify(desc[attr]);
      if (a !== b) diffs.push(attr);
    }
    if (diffs.length) out.set(name, diffs);
  }
  return out;
}

describe('fields_get matches Odoo 19 on every served model with a reference export', () => {
  let t: TestRegistry;
  before(async () => {
    t = await testRegistry();
  });
  after(async () => t.close());

  // Models of features still to come join the comparison as soon as they are served.
  const served = new Set(MODELS.filter((m) => !m._abstract).map((m) => m._name));
  const compared = exportedModels().filter((m) => served.has(m));

  it('leaves out only mixin plumbing that comes from modules we do not re-implement', () => {
    const modules = fieldModules();
    const fromMixin = new Set<string>();
    for (const fields of Object.values(modules)) {
      for (const [name, mods] of Object.entries(fields)) {
        if (mods.split(', ').every((m) => MIXIN_MODULES.has(m))) fromMixin.add(name);
      }
    }
    const leftOut = new Set(exportedModels().flatMap((m) => Object.keys(readFieldsExport(m)!).filter((n) => PLUMBING.test(n))));
    expect([...leftOut].filter((n) => !fromMixin.has(n))).to.deep.equal([]);
  });

  it('lists each deviation once, on a served model, with a reason', () => {
    const seen = new Set<string>();
    for (const d of DEVIATIONS) {
      const key = `${d.model}.${d.field}`;
      expect(seen.has(key), `${key} listed twice`).to.equal(false);
      seen.add(key);
      expect(t.registry.models.has(d.model), `${key}: model not served`).to.equal(true);
      expect(readFieldsExport(d.model)?.[d.field], `${key}: not in Odoo's export`).to.not.equal(undefined);
      expect(d.reason, key).to.match(/^\S.*\S$/);
      expect(d.reason, key).to.not.include('\n');
      expect(d.issue === null || Number.isInteger(d.issue), key).to.equal(true);
    }
  });

  for (const model of compared) {
    it(model, async () => {
      const odoo = readFieldsExport(model)!;
      const ours = await t.call(model, 'fields_get', [], { attributes: ATTRS });
      const found = problemsOf(odoo, ours);
      const listed = new Map(DEVIATIONS.filter((d) => d.model === model).map((d) => [d.field, d]));
      const problems: string[] = [];
      for (const [name, diffs] of found) {
        const d = listed.get(name);
        if (!d) {
          problems.push(`${name}: ${diffs.map((a) => a === 'missing' ? 'missing' : `${a} ours ${JSON.stringify(ours[name][a])?.slice(0, 120)} odoo ${JSON.stringify(odoo[name][a])?.slice(0, 120)}`).join('; ')}`);
        } else if (d.attribute && !(diffs.length === 1 && diffs[0] === d.attribute)) {
          problems.push(`${name}: listed for ${d.attribute} only, differs in ${diffs.join(', ')}`);
        }
      }
      // A listed deviation that no longer differs must leave the list.
      for (const name of listed.keys()) if (!found.has(name)) problems.push(`${name}: listed as a deviation but matches Odoo 19`);
      expect(problems).to.deep.equal([]);
    });
  }
});
