// res.partner (base): copies and names, as Odoo 19 does them.

import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';

describe('base: res.partner names and copies', () => {
  let t: TestRegistry;
  before(async () => {
    t = await testRegistry();
  });
  after(async () => t.close());

  const read = async (model: string, id: number, fields: string[]) => (await t.call(model, 'read', [[id], fields]))[0];

  it('name_create returns [id, display_name] with the real display name; name is the rec name', async () => {
    const [pid, pname] = await t.call('res.partner', 'name_create', ['Quick Partner']);
    expect(pname).to.equal('Quick Partner');
    expect((await t.call('res.partner', 'read', [[pid], ['name', 'complete_name', 'display_name']]))[0]).to.deep.include({ name: 'Quick Partner', complete_name: 'Quick Partner', display_name: 'Quick Partner' });
    // the display name of a company's contact is still "Company, Contact", and searchable as such
    const company = await t.call('res.partner', 'create', [{ name: 'Acme', is_company: true }]);
    const contact = await t.call('res.partner', 'create', [{ name: 'Road Runner', parent_id: company, email: 'beep@acme.example' }]);
    expect((await t.call('res.partner', 'read', [[contact], ['display_name']]))[0].display_name).to.equal('Acme, Road Runner');
    expect(await t.call('res.partner', 'name_search', [], { name: 'Acme, Road' })).to.deep.equal([[contact, 'Acme, Road Runner']]);
    // as in Odoo (_rec_names_search), the email is searched too; a negative search excludes on every field
    expect(await t.call('res.partner', 'name_search', [], { name: 'beep@acme' })).to.deep.equal([[contact, 'Acme, Road Runner']]);
    const notAcme = await t.call('res.partner', 'search', [[['id', 'in', [company, contact, pid]], ['display_name', 'not ilike', 'acme']]]);
    expect(notAcme).to.deep.equal([pid]);
    // a many2one to a partner reads its display name
    expect((await t.call('res.partner', 'read', [[contact], ['parent_id']]))[0].parent_id).to.deep.equal([company, 'Acme']);
  });

  it('name_create reads "Name <email>" like Odoo (email alone is also the name; force_email requires one)', async () => {
    const [a, aName] = await t.call('res.partner', 'name_create', ['Raoul Grosbedon <Raoul@Grosbedon.fr>']);
    expect(aName).to.equal('Raoul Grosbedon');
    expect((await t.call('res.partner', 'read', [[a], ['name', 'email']]))[0]).to.deep.include({ name: 'Raoul Grosbedon', email: 'raoul@grosbedon.fr' });
    const [b, bName] = await t.call('res.partner', 'name_create', ['only@example.com']);
    expect(bName).to.equal('only@example.com');
    expect((await t.call('res.partner', 'read', [[b], ['email']]))[0].email).to.equal('only@example.com');
    try {
      await t.call('res.partner', 'name_create', ['No Address'], { context: { force_email: true } });
      expect.fail('should raise');
    } catch (e: any) {
      expect(e.odooName).to.equal('odoo.exceptions.ValidationError');
      expect(e.message).to.equal("Couldn't create contact without email address!");
    }
    // an address type the partner does not have is dropped from the context, not refused
    const [c] = await t.call('res.partner', 'name_create', ['Typed'], { context: { default_type: 'lead' } });
    expect((await t.call('res.partner', 'read', [[c], ['type']]))[0].type).to.equal('contact');
    const [d] = await t.call('res.partner', 'name_create', ['Billing'], { context: { default_type: 'invoice' } });
    expect((await t.call('res.partner', 'read', [[d], ['type']]))[0].type).to.equal('invoice');
  });

  it('a copied partner is named "<name> (copy)", other values kept', async () => {
    const id = await t.call('res.partner', 'create', [{ name: 'Ada Lovelace', email: 'ada@example.com', phone: '+32 470 00 00 01' }]);
    const [copy] = await t.call('res.partner', 'copy', [[id]]);
    expect(copy).to.not.equal(id);
    expect(await read('res.partner', copy, ['name', 'display_name', 'email', 'phone'])).to.deep.include({ name: 'Ada Lovelace (copy)', display_name: 'Ada Lovelace (copy)', email: 'ada@example.com', phone: '+32 470 00 00 01' });
    // copy_data shows the same values without creating anything
    const [vals] = await t.call('res.partner', 'copy_data', [[id]]);
    expect(vals).to.include({ name: 'Ada Lovelace (copy)', email: 'ada@example.com' });
  });

  it('a name given in `default` wins; copying several partners names each copy after its original', async () => {
    const [a, b] = await t.call('res.partner', 'create', [[{ name: 'First' }, { name: 'Second' }]]);
    const [named] = await t.call('res.partner', 'copy', [[a]], { default: { name: 'Chosen' } });
    expect((await read('res.partner', named, ['name'])).name).to.equal('Chosen');
    const copies = await t.call('res.partner', 'copy', [[a, b]]);
    const names = (await t.call('res.partner', 'read', [copies, ['name']])).map((r: { name: string }) => r.name);
    expect(names).to.deep.equal(['First (copy)', 'Second (copy)']);
  });

  it('a model without such an override keeps the name (res.partner.category)', async () => {
    const tag = await t.call('res.partner.category', 'create', [{ name: 'VIP' }]);
    const [copy] = await t.call('res.partner.category', 'copy', [[tag]]);
    expect(copy).to.not.equal(tag);
    expect((await read('res.partner.category', copy, ['name'])).name).to.equal('VIP');
  });
});
