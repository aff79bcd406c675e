// The shapes of the audience models against the fields_get of a real Odoo 19.

import { expect } from 'chai';
import { readFieldsExport } from '../helpers/odoo19.ts';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';

const ATTRS = ['type', 'string', 'relation', 'relation_field', 'required', 'readonly', 'store', 'selection', 'searchable', 'sortable', 'groupable', 'related', 'depends', 'translate'];
// Chatter / followers / properties / website plumbing of mail, and the mailings side of lists.
const LEFT_OUT = /^(message_(?!ids$|bounce$)|website_message_ids$|properties|mailing_ids$|mailing_count$)/;

describe('mass_mailing / phone_validation: fields_get matches Odoo 19', () => {
  let t: TestRegistry;
  before(async () => {
    t = await testRegistry();
  });
  after(async () => t.close());

  for (const model of ['mailing.list', 'mailing.contact', 'mailing.subscription', 'mailing.subscription.optout', 'phone.blacklist', 'phone.blacklist.remove']) {
    it(model, async () => {
      const odoo = readFieldsExport(model)!;
      const ours = await t.call(model, 'fields_get', [], { attributes: ATTRS });
      const problems: string[] = [];
      for (const [name, desc] of Object.entries(odoo)) {
        if (LEFT_OUT.test(name)) continue;
        if (!ours[name]) {
          problems.push(`${name}: missing`);
          continue;
        }
        for (const attr of ATTRS) {
          if (!(attr in desc)) continue;
          const a = JSON.stringify(ours[name][attr] ?? (attr === 'depends' ? [] : undefined));
          const b = JSON.stringify(desc[attr]);
          if (a !== b) problems.push(`${name}.${attr}: ours ${a} odoo ${b}`);
        }
      }
      expect(problems).to.deep.equal([]);
    });
  }
});
