import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';

// Odoo's import API (`load`) on the audience models, as Odoo's import tooling calls it.
describe('mass_mailing: load() of contacts with list membership', () => {
  let t: TestRegistry;
  before(async () => {
    t = await testRegistry();
  });
  after(async () => t.close());

  it('good rows all land, with their lists (by name and by external id)', async () => {
    const listId = await t.call('mailing.list', 'create', [{ name: 'Imported' }]);
    const res = await t.call('mailing.contact', 'load', [
      ['id', 'name', 'mobile', 'country_id', 'list_ids'],
      [
        ['__import__.c1', 'Ann', '0456 12 34 56', 'Belgium', 'Imported'],
        ['__import__.c2', 'Bob', '+33 6 12 34 56 78', '', 'Imported'],
      ],
    ]);
    expect(res.messages).to.deep.equal([]);
    expect(res.ids).to.have.length(2);
    const rows = await t.call('mailing.contact', 'read', [res.ids, ['name', 'phone_sanitized', 'list_ids']]);
    expect(rows.map((r: any) => r.phone_sanitized)).to.deep.equal(['+32456123456', '+33612345678']);
    for (const r of rows) expect(r.list_ids).to.deep.equal([listId]);
    const [list] = await t.call('mailing.list', 'read', [[listId], ['contact_count']]);
    expect(list.contact_count).to.equal(2);
    // Same external ids again: updated, not duplicated; list by external id column.
    await t.call('ir.model.data', 'create', [{ module: '__import__', name: 'list_imported', model: 'mailing.list', res_id: listId }]);
    const again = await t.call('mailing.contact', 'load', [['id', 'name', 'list_ids/id'], [['__import__.c1', 'Ann B.', '__import__.list_imported']]]);
    expect(again.ids).to.deep.equal([res.ids[0]]);
    expect(await t.call('mailing.contact', 'search_count', [[['list_ids', 'in', [listId]]]])).to.equal(2);
  });

  it('one bad row among good ones: nothing lands, ids false, the message names the row', async () => {
    const before = await t.call('mailing.contact', 'search_count', [[]]);
    const res = await t.call('mailing.contact', 'load', [
      ['name', 'mobile', 'list_ids'],
      [
        ['Good 1', '0456 00 00 01', 'Imported'],
        ['Bad', '0456 00 00 02', 'No Such List'],
        ['Good 2', '0456 00 00 03', 'Imported'],
      ],
    ]);
    expect(res.ids).to.equal(false);
    const errors = res.messages.filter((m: any) => m.type === 'error');
    expect(errors).to.have.length.greaterThan(0);
    expect(errors[0].record).to.equal(1);
    expect(errors[0].rows).to.deep.equal({ from: 1, to: 1 });
    expect(errors[0].field).to.equal('list_ids');
    expect(await t.call('mailing.contact', 'search_count', [[]])).to.equal(before);
  });
});
