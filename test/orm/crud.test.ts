import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';

describe('ORM: create / read / write / unlink', () => {
  let t: TestRegistry;
  before(async () => {
    t = await testRegistry();
  });
  after(async () => t.close());

  it('create returns an int for a dict and a list for a list', async () => {
    const id = await t.call('res.partner', 'create', [{ name: 'Dict' }]);
    expect(id).to.be.a('number');
    const ids = await t.call('res.partner', 'create', [[{ name: 'L1' }]]);
    expect(ids).to.be.an('array').with.length(1);
    expect(await t.call('res.partner', 'create', [[]])).to.deep.equal([]);
  });

  it('read serialises empty values as Odoo does', async () => {
    const be = (await t.call('res.country', 'search', [[['code', '=', 'BE']]]))[0];
    const id = await t.call('res.partner', 'create', [{ name: 'Reader', country_id: be }]);
    const [rec] = await t.call('res.partner', 'read', [[id, 999999], ['name', 'country_id', 'child_ids', 'create_date', 'color', 'email', 'is_company']]);
    expect(Object.keys(rec)).to.deep.equal(['id', 'name', 'country_id', 'child_ids', 'create_date', 'color', 'email', 'is_company']);
    expect(rec.country_id).to.deep.equal([be, 'Belgium']);
    expect(rec.child_ids).to.deep.equal([]);
    expect(rec.color).to.equal(0);
    expect(rec.email).to.equal(false);
    expect(rec.is_company).to.equal(false);
    expect(rec.create_date).to.match(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const [w] = await t.call('res.partner', 'read', [[id], ['country_id']], { load: '_classic_write' });
    expect(w.country_id).to.equal(be);
    // Only `id`: nothing fetched, missing ids come back.
    expect(await t.call('res.partner', 'read', [[999999], ['id']])).to.deep.equal([{ id: 999999 }]);
  });

  it('unknown field on read is a ValueError', async () => {
    try {
      await t.call('res.partner', 'read', [[1], ['no_such_field']]);
      expect.fail('should raise');
    } catch (e: any) {
      expect(e.odooName).to.equal('builtins.ValueError');
      expect(e.message).to.equal("Invalid field 'no_such_field' on 'res.partner'");
    }
  });

  it('write applies x2many commands 0-6', async () => {
    const [c1, c2, c3] = await t.call('res.partner.category', 'create', [[{ name: 'A' }, { name: 'B' }, { name: 'C' }]]);
    const p = await t.call('res.partner', 'create', [{ name: 'Tagged', category_id: [[6, 0, [c1, c2]]] }]);
    const tags = async () => (await t.call('res.partner', 'read', [[p], ['category_id']]))[0].category_id.sort();
    expect(await tags()).to.deep.equal([c1, c2].sort());
    await t.call('res.partner', 'write', [[p], { category_id: [[3, c1, 0]] }]);
    expect(await tags()).to.deep.equal([c2]);
    await t.call('res.partner', 'write', [[p], { category_id: [[4, c3]] }]);
    expect(await tags()).to.deep.equal([c2, c3].sort());
    await t.call('res.partner', 'write', [[p], { category_id: [[5]] }]);
    expect(await tags()).to.deep.equal([]);
    await t.call('res.partner', 'write', [[p], { category_id: [[0, 0, { name: 'New' }]] }]);
    const [created] = await tags();
    await t.call('res.partner', 'write', [[p], { category_id: [[1, created, { name: 'Renamed' }]] }]);
    expect((await t.call('res.partner.category', 'read', [[created], ['name']]))[0].name).to.equal('Renamed');
    await t.call('res.partner', 'write', [[p], { category_id: [[2, created, 0]] }]);
    expect(await tags()).to.deep.equal([]);
    expect(await t.call('res.partner.category', 'search', [[['id', '=', created]]])).to.deep.equal([]);
    // one2many: create children through the parent, then cut the link.
    const company = await t.call('res.partner', 'create', [{ name: 'Co', is_company: true, child_ids: [[0, 0, { name: 'Kid' }]] }]);
    const [co] = await t.call('res.partner', 'read', [[company], ['child_ids']]);
    expect(co.child_ids).to.have.length(1);
    const [kid] = await t.call('res.partner', 'read', [co.child_ids, ['complete_name', 'parent_id']]);
    expect(kid.complete_name).to.equal('Co, Kid');
    await t.call('res.partner', 'write', [[company], { child_ids: [[3, co.child_ids[0]]] }]);
    expect((await t.call('res.partner', 'read', [co.child_ids, ['parent_id']]))[0].parent_id).to.equal(false);
  });

  it('a failing call leaves no partial writes', async () => {
    const before = await t.call('res.partner', 'search_count', [[]]);
    try {
      await t.call('res.partner', 'create', [[{ name: 'ok' }, { name: 'bad', no_field: 1 }]]);
      expect.fail('should raise');
    } catch (e: any) {
      expect(e.odooName).to.equal('builtins.ValueError');
    }
    try {
      await t.call('res.partner', 'create', [[{ name: 'ok2' }, { name: 'bad', country_id: 99999999 }]]);
      expect.fail('should raise');
    } catch (e: any) {
      expect(e.odooName).to.equal('odoo.exceptions.ValidationError');
    }
    expect(await t.call('res.partner', 'search_count', [[]])).to.equal(before);
  });

  it('required field missing is a ValidationError with Odoo wording', async () => {
    try {
      await t.call('res.country', 'create', [{ name: 'Nowhere' }]);
      expect.fail('should raise');
    } catch (e: any) {
      expect(e.odooName).to.equal('odoo.exceptions.ValidationError');
      expect(e.message).to.match(/^The operation cannot be completed: Missing required value for the field 'Country Code' \(code\)\.\nModel: 'Country' \(res\.country\)/);
    }
  });

  it('write on a missing record raises MissingError; unlink and copy work', async () => {
    try {
      await t.call('res.partner', 'write', [[99999999], { name: 'x' }]);
      expect.fail('should raise');
    } catch (e: any) {
      expect(e.odooName).to.equal('odoo.exceptions.MissingError');
    }
    const id = await t.call('res.partner', 'create', [{ name: 'Copy me', email: 'a@b.c' }]);
    const copies = await t.call('res.partner', 'copy', [[id]], { default: { name: 'Copied' } });
    expect(copies).to.be.an('array').with.length(1);
    const [c] = await t.call('res.partner', 'read', [copies, ['name', 'email']]);
    expect(c).to.deep.include({ name: 'Copied', email: 'a@b.c' });
    expect(await t.call('res.partner', 'unlink', [[id]])).to.equal(true);
    expect(await t.call('res.partner', 'read', [[id], ['name']])).to.deep.equal([]);
  });

  it('exists is private over RPC', async () => {
    try {
      await t.call('res.partner', 'exists', [[1]]);
      expect.fail('should raise');
    } catch (e: any) {
      expect(e.odooName).to.equal('odoo.exceptions.AccessError');
      expect(e.message).to.equal("Private methods (such as 'res.partner.exists') cannot be called remotely.");
    }
  });

  it('name_search, name_create, default_get, fields_get', async () => {
    await t.call('res.partner', 'create', [{ name: 'Administrator Two' }]);
    const res = await t.call('res.partner', 'name_search', [], { name: 'Admin', limit: 5 });
    expect(res[0]).to.deep.equal([3, 'Administrator']);
    const [nid, nname] = await t.call('res.partner.category', 'name_create', ['Quick']);
    expect(nid).to.be.a('number');
    expect(nname).to.equal('Quick');
    expect(await t.call('res.partner', 'default_get', [['active', 'type', 'name']])).to.deep.equal({ active: true, type: 'contact' });
    const fg = await t.call('res.partner', 'fields_get', [], { attributes: ['string', 'type', 'required'] });
    expect(fg.name).to.deep.equal({ string: 'Name', type: 'char', required: false });
    expect(Object.keys(fg).slice(0, 2)).to.deep.equal(['id', 'display_name']);
    const empty = await t.call('res.partner', 'fields_get', [], { attributes: [] });
    expect(empty.name).to.deep.equal({});
    const all = await t.call('res.partner', 'fields_get', [['country_id']]);
    expect(all.country_id).to.include({ type: 'many2one', relation: 'res.country', store: true, string: 'Country' });
  });

  it('order is validated; injection refused', async () => {
    const ids = await t.call('res.partner', 'search', [[]], { order: 'name desc, id' });
    expect(ids.length).to.be.greaterThan(0);
    for (const bad of ['name; drop table x', '"name"', 'name,', '(select 1)', 'name desc desc']) {
      try {
        await t.call('res.partner', 'search', [[]], { order: bad });
        expect.fail('should raise');
      } catch (e: any) {
        expect(e.odooName, bad).to.equal('odoo.exceptions.UserError');
        expect(e.message).to.contain(`Invalid "order" specified (${bad})`);
      }
    }
    try {
      await t.call('res.partner', 'search', [[]], { order: 'nope desc' });
      expect.fail('should raise');
    } catch (e: any) {
      expect(e.odooName).to.equal('builtins.ValueError');
    }
  });
});
