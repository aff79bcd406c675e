// Saved filters (mailing.filter) and mailings: the filter gives the mailing its domain, belongs to
// one recipients model (Odoo's constraint and message), and is dropped when the model changes.

import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';

describe('mass_mailing: saved filters', () => {
  let t: TestRegistry;
  let partnerModel: number;
  let listModel: number;
  const model = async (name: string) => (await t.call('ir.model', 'search', [[['model', '=', name]]]))[0];
  const caught = async (p: Promise<unknown>) => p.then(() => { throw new Error('expected an error'); }, (e) => e);

  before(async () => {
    t = await testRegistry();
    partnerModel = await model('res.partner');
    listModel = await model('mailing.list');
  });
  after(async () => t.close());

  it('a mailing using a filter gets its domain; the filter count is per recipients model', async () => {
    const f = await t.call('mailing.filter', 'create', [{ name: 'Belgians', mailing_model_id: partnerModel, mailing_domain: "[('country_id.code', '=', 'BE')]" }]);
    const m = await t.call('mailing.mailing', 'create', [{ subject: 'Filtered', mailing_type: 'sms', mailing_model_id: partnerModel, mailing_filter_id: f }]);
    const [r] = await t.call('mailing.mailing', 'read', [[m], ['mailing_domain', 'mailing_filter_domain', 'mailing_filter_count', 'mailing_filter_id']]);
    expect(r).to.include({ mailing_domain: "[('country_id.code', '=', 'BE')]", mailing_filter_domain: "[('country_id.code', '=', 'BE')]", mailing_filter_count: 1 });
    const [saver] = await t.call('mailing.filter', 'read', [[f], ['create_uid', 'mailing_model_name']]);
    expect(saver.create_uid[0]).to.equal(2);
    expect(saver.mailing_model_name).to.equal('res.partner');
    // Another recipients model: the filter goes, and the domain is that model's default.
    await t.call('mailing.mailing', 'write', [[m], { mailing_model_id: listModel }]);
    const [after] = await t.call('mailing.mailing', 'read', [[m], ['mailing_filter_id', 'mailing_filter_count', 'mailing_domain']]);
    expect(after).to.include({ mailing_filter_id: false, mailing_filter_count: 0 });
    expect(after.mailing_domain).to.not.contain('country_id');
  });

  it("a filter of another recipients model is refused with Odoo's message", async () => {
    const f = await t.call('mailing.filter', 'create', [{ name: 'Partners only', mailing_model_id: partnerModel, mailing_domain: '[]' }]);
    const err = await caught(t.call('mailing.mailing', 'create', [{ subject: 'Lists', mailing_type: 'sms', mailing_model_id: listModel, mailing_filter_id: f }]));
    expect(err.odooName).to.equal('odoo.exceptions.ValidationError');
    expect(err.message).to.equal('The saved filter targets different recipients and is incompatible with this mailing.');
    const m = await t.call('mailing.mailing', 'create', [{ subject: 'Lists', mailing_type: 'sms', mailing_model_id: listModel }]);
    const err2 = await caught(t.call('mailing.mailing', 'write', [[m], { mailing_filter_id: f }]));
    expect(err2.message).to.equal('The saved filter targets different recipients and is incompatible with this mailing.');
  });

  it("a filter whose domain is not a valid search of its model is refused with Odoo's message", async () => {
    for (const domain of ["[('no_such_field', '=', 1)]", 'not a domain']) {
      const err = await caught(t.call('mailing.filter', 'create', [{ name: 'Bad', mailing_model_id: partnerModel, mailing_domain: domain }]));
      expect(err.odooName).to.equal('odoo.exceptions.ValidationError');
      expect(err.message).to.equal('The filter domain is not valid for this recipients.');
    }
  });
});
