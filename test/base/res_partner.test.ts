// res.partner (base): copies and names, as Odoo 19 does them.

import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';

describe('base: res.partner copy', () => {
  let t: TestRegistry;
  before(async () => {
    t = await testRegistry();
  });
  after(async () => t.close());

  const read = async (model: string, id: number, fields: string[]) => (await t.call(model, 'read', [[id], fields]))[0];

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
