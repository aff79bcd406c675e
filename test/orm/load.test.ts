// load(fields, data): Odoo's import API, and ir.model.data (external ids) it relies on.

import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';

describe('ORM: load (import) and external ids', () => {
  let t: TestRegistry;
  let be: number;
  let fr: number;
  before(async () => {
    t = await testRegistry();
    be = (await t.call('res.country', 'search', [[['code', '=', 'BE']]]))[0];
    fr = (await t.call('res.country', 'search', [[['code', '=', 'FR']]]))[0];
  });
  after(async () => t.close());

  const partnerCount = () => t.call('res.partner', 'search_count', [[]], { context: { active_test: false } });

  it('imports good rows: external ids, names, references by external id, db id and name', async () => {
    const tags = await t.call('res.partner.category', 'load', [['id', 'name'], [['tag_vip', 'VIP'], ['tag_new', 'New'], ['imp.tag_old', 'Old']]]);
    expect(tags.messages).to.deep.equal([]);
    expect(tags.ids).to.have.length(3);
    const before = await partnerCount();
    const res = await t.call('res.partner', 'load', [
      ['id', 'name', 'is_company', 'country_id', 'category_id/id', 'parent_id/id', 'color', 'email'],
      [
        ['acme', 'Acme', '1', 'Belgium', 'tag_vip,imp.tag_old', '', '3', 'acme@example.com'],
        ['acme_john', 'John', 'false', 'FR', 'tag_new', 'acme', '', ''],
        ['', 'No Xid', '0', '', '', '__import__.acme', '0', 'none@example.com'],
      ],
    ]);
    expect(res.messages).to.deep.equal([]);
    expect(res.ids).to.be.an('array').with.length(3);
    expect(res.nextrow).to.equal(0);
    expect(await partnerCount()).to.equal(before + 3);
    const rows = await t.call('res.partner', 'read', [res.ids, ['name', 'is_company', 'country_id', 'category_id', 'parent_id', 'color', 'email', 'complete_name']], { load: null });
    expect(rows[0]).to.deep.include({ name: 'Acme', is_company: true, country_id: be, parent_id: false, color: 3, email: 'acme@example.com' });
    expect(rows[0].category_id).to.have.members([tags.ids[0], tags.ids[2]]);
    expect(rows[1]).to.deep.include({ name: 'John', is_company: false, country_id: fr, category_id: [tags.ids[1]], parent_id: res.ids[0], color: 0, email: false, complete_name: 'Acme, John' });
    expect(rows[2]).to.deep.include({ name: 'No Xid', parent_id: res.ids[0], country_id: false });
    // External ids are registered (bare names in __import__).
    expect(await t.call('ir.model.data', 'check_object_reference', ['__import__', 'acme'])).to.deep.equal(['res.partner', res.ids[0]]);
    expect(await t.call('ir.model.data', 'check_object_reference', ['imp', 'tag_old'])).to.deep.equal(['res.partner.category', tags.ids[2]]);
    const [meta] = await t.call('res.partner', 'get_metadata', [[res.ids[1]]]);
    expect(meta).to.deep.include({ xmlid: '__import__.acme_john', noupdate: false });
    expect(meta.xmlids).to.deep.equal([{ xmlid: '__import__.acme_john', noupdate: false }]);
  });

  it('one bad row among good ones: nothing lands, ids is false, the message names the row', async () => {
    const before = await partnerCount();
    const res = await t.call('res.partner', 'load', [
      ['id', 'name', 'country_id'],
      [['good1', 'Good 1', 'Belgium'], ['good2', 'Good 2', ''], ['bad', 'Bad', 'Narnia'], ['good3', 'Good 3', 'France']],
    ]);
    expect(res.ids).to.equal(false);
    expect(res.messages).to.have.length(1);
    const [m] = res.messages;
    expect(m).to.deep.include({
      type: 'error',
      record: 2,
      rows: { from: 2, to: 2 },
      field: 'country_id',
      field_name: 'Country',
      message: "No matching record found for name 'Narnia' in field 'Country'",
    });
    expect(m.moreinfo).to.include({ type: 'ir.actions.act_window', res_model: 'res.country' });
    expect(await partnerCount()).to.equal(before);
    expect(await t.call('ir.model.data', 'search_count', [[['name', 'in', ['good1', 'good2', 'good3']]]])).to.equal(0);
  });

  it('errors while saving (missing required value) are reported per row, nothing lands', async () => {
    const res = await t.call('res.country', 'load', [['name', 'code'], [['Atlantis', 'AQ1'], ['Mu', '']]]);
    expect(res.ids).to.equal(false);
    expect(res.messages.length).to.be.greaterThan(0);
    const missing = res.messages.find((m: any) => m.record === 1);
    expect(missing).to.deep.include({ type: 'error', rows: { from: 1, to: 1 }, message: "Missing required value for the field 'Country Code' (code)", field: 'code' });
    expect(await t.call('res.country', 'search', [[['name', 'in', ['Atlantis', 'Mu']]]])).to.deep.equal([]);
  });

  it('conversion errors: integer, selection, database id; warnings do not block', async () => {
    const res = await t.call('res.partner', 'load', [
      ['name', 'color', 'type', 'parent_id/.id', 'is_company'],
      [['A', 'abc', 'contact', '', ''], ['B', '1', 'martian', '', ''], ['C', '', '', '99999999', ''], ['D', '', '', '', 'maybe']],
    ]);
    expect(res.ids).to.equal(false);
    const byRecord = (i: number) => res.messages.filter((m: any) => m.record === i);
    expect(byRecord(0)[0]).to.deep.include({ type: 'error', field: 'color', message: "'abc' does not seem to be an integer for field 'Color Index'" });
    expect(byRecord(1)[0]).to.deep.include({ type: 'error', field: 'type', message: "Value 'martian' not found in selection field 'Address Type'" });
    expect(byRecord(2)[0]).to.deep.include({ type: 'error', field: 'parent_id', message: "No matching record found for database id '99999999' in field 'Related Company'" });
    expect(byRecord(3)[0]).to.deep.include({ type: 'warning', field: 'is_company', message: "Unknown value 'maybe' for boolean field 'Is a Company'" });
    const ok = await t.call('res.partner', 'load', [['name', 'is_company'], [['Warned', 'maybe']]]);
    expect(ok.ids).to.have.length(1);
    expect(ok.messages.map((m: any) => m.type)).to.deep.equal(['warning']);
    await t.call('res.partner', 'unlink', [ok.ids]);
  });

  it('re-importing the same external ids updates the records instead of creating', async () => {
    const first = await t.call('res.partner', 'load', [['id', 'name', 'email'], [['upd_a', 'Alpha', 'a@x.org'], ['upd_b', 'Beta', '']]]);
    expect(first.messages).to.deep.equal([]);
    const before = await partnerCount();
    const second = await t.call('res.partner', 'load', [['id', 'name', 'email'], [['upd_a', 'Alpha 2', ''], ['__import__.upd_b', 'Beta 2', 'b@x.org'], ['upd_c', 'Gamma', '']]]);
    expect(second.messages).to.deep.equal([]);
    expect(second.ids.slice(0, 2)).to.deep.equal(first.ids);
    expect(await partnerCount()).to.equal(before + 1);
    const rows = await t.call('res.partner', 'read', [second.ids, ['name', 'email']]);
    expect(rows.map((r: any) => [r.name, r.email])).to.deep.equal([['Alpha 2', false], ['Beta 2', 'b@x.org'], ['Gamma', false]]);
    // `.id` updates by database id.
    const third = await t.call('res.partner', 'load', [['.id', 'name'], [[String(first.ids[0]), 'Alpha 3']]]);
    expect(third).to.deep.equal({ ids: [first.ids[0]], messages: [], nextrow: 0 });
    expect((await t.call('res.partner', 'read', [[first.ids[0]], ['name']]))[0].name).to.equal('Alpha 3');
    const missing = await t.call('res.partner', 'load', [['.id', 'name'], [['99999999', 'Nobody']]]);
    expect(missing.ids).to.equal(false);
    expect(missing.messages[0]).to.deep.include({ type: 'error', field: '.id', message: "Unknown database identifier '99999999'" });
  });

  it('many2many by names and database ids; references by external id of another model are refused', async () => {
    const [tagA, tagB] = await t.call('res.partner.category', 'create', [[{ name: 'Alpha Tag' }, { name: 'Beta Tag' }]]);
    const res = await t.call('res.partner', 'load', [['name', 'category_id', 'country_id/.id'], [['M2M', 'Alpha Tag,Beta Tag', String(be)]]]);
    expect(res.messages).to.deep.equal([]);
    const [r] = await t.call('res.partner', 'read', [res.ids, ['category_id', 'country_id']], { load: null });
    expect(r.category_id).to.deep.equal([tagA, tagB]);
    expect(r.country_id).to.equal(be);
    const wrong = await t.call('res.partner', 'load', [['name', 'country_id/id'], [['W', '__import__.acme']]]);
    expect(wrong.ids).to.equal(false);
    // (Odoo joins the external id with the comodel table by id only, then checks the model.)
    expect(wrong.messages[0]).to.deep.include({ type: 'error', field: 'country_id', message: "Invalid external ID __import__.acme: expected model 'res.country', found 'res.partner'" });
    const unknown = await t.call('res.partner', 'load', [['name', 'country_id/id'], [['W', 'base.nowhere']]]);
    expect(unknown.messages[0].message).to.equal("No matching record found for external id 'base.nowhere' in field 'Country'");
  });

  it('one2many sub-records on continuation rows', async () => {
    const res = await t.call('res.partner', 'load', [
      ['name', 'is_company', 'child_ids/name', 'child_ids/email'],
      [['Parent Co', '1', 'Kid 1', 'k1@x.org'], ['', '', 'Kid 2', ''], ['Solo', '', '', '']],
    ]);
    expect(res.messages).to.deep.equal([]);
    expect(res.ids).to.have.length(2);
    const [p] = await t.call('res.partner', 'read', [[res.ids[0]], ['child_ids']]);
    const kids = await t.call('res.partner', 'read', [p.child_ids, ['name', 'email', 'complete_name']]);
    expect(kids.map((k: any) => [k.name, k.email, k.complete_name])).to.deep.equal([['Kid 1', 'k1@x.org', 'Parent Co, Kid 1'], ['Kid 2', false, 'Parent Co, Kid 2']]);
  });

  it('unknown columns are a ValueError; nothing is imported', async () => {
    try {
      await t.call('res.partner', 'load', [['name', 'no_such_field'], [['x', 'y']]]);
      expect.fail('should raise');
    } catch (e: any) {
      expect(e.odooName).to.equal('builtins.ValueError');
      expect(e.message).to.equal("Invalid field name 'no_such_field'");
    }
  });

  it('check_object_reference and other ir.model.data helpers', async () => {
    const res = await t.call('res.partner', 'load', [['id', 'name', 'active'], [['mymod.ref_me', 'Ref Me', '1'], ['mymod.hidden', 'Hidden', '0']]]);
    expect(res.messages).to.deep.equal([]);
    expect(await t.call('ir.model.data', 'check_object_reference', ['mymod', 'ref_me'])).to.deep.equal(['res.partner', res.ids[0]]);
    // Not visible (archived here): [model, false], or an AccessError when asked to raise.
    expect(await t.call('ir.model.data', 'check_object_reference', ['mymod', 'hidden'])).to.deep.equal(['res.partner', false]);
    try {
      await t.call('ir.model.data', 'check_object_reference', ['mymod', 'hidden', true]);
      expect.fail('should raise');
    } catch (e: any) {
      expect(e.odooName).to.equal('odoo.exceptions.AccessError');
    }
    try {
      await t.call('ir.model.data', 'check_object_reference', ['mymod', 'nope']);
      expect.fail('should raise');
    } catch (e: any) {
      expect(e.odooName).to.equal('builtins.ValueError');
      expect(e.message).to.equal('External ID not found in the system: mymod.nope');
    }
    const viaEnv = await t.env(async (env) => {
      const imd = env.model('ir.model.data');
      return [
        await imd.call('_xmlid_to_res_id', 'mymod.ref_me'),
        await imd.call('_xmlid_to_res_id', 'mymod.nope'),
        await imd.call('_xmlid_to_res_model_res_id', 'mymod.ref_me'),
      ];
    });
    expect(viaEnv).to.deep.equal([res.ids[0], false, ['res.partner', res.ids[0]]]);
    const [xid] = await t.call('ir.model.data', 'search_read', [[['module', '=', 'mymod'], ['name', '=', 'ref_me']]], { fields: ['complete_name', 'display_name', 'reference', 'noupdate'] });
    expect(xid).to.deep.include({ complete_name: 'mymod.ref_me', display_name: 'Ref Me', reference: `res.partner,${res.ids[0]}`, noupdate: false });
    // Private helpers are not callable over RPC.
    try {
      await t.call('ir.model.data', '_xmlid_lookup', ['mymod.ref_me']);
      expect.fail('should raise');
    } catch (e: any) {
      expect(e.odooName).to.equal('odoo.exceptions.AccessError');
    }
  });

  it('a failing batch is retried row by row and reports every failing row', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => [`Country ${i}`, i % 10 === 3 ? '' : `Q${String.fromCharCode(65 + (i % 26))}${i}`.slice(0, 2) + (i % 10)]);
    const res = await t.call('res.country', 'load', [['name', 'code'], rows]);
    expect(res.ids).to.equal(false);
    const failing = res.messages.filter((m: any) => m.type === 'error').map((m: any) => m.record);
    expect(failing).to.include.members([3, 13, 23]);
  });
});
