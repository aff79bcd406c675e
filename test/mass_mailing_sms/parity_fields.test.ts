// Fields declared for parity with Odoo 19: favorite filters, mailing-enabled models, the user's
// time zone and language living on the partner, the SMS's chatter message.

import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { modelId } from '../helpers/mass_mailing_sms.ts';

describe('mass_mailing_sms: fields declared for parity with Odoo 19', () => {
  let t: TestRegistry;
  before(async () => {
    t = await testRegistry();
  });
  after(async () => t.close());

  it('a favorite filter gives the mailing its domain; changing the recipients model drops it', async () => {
    const partnerModel = await modelId(t, 'res.partner');
    const contactModel = await modelId(t, 'mailing.contact');
    const filter = await t.call('mailing.filter', 'create', [{ name: 'Belgians', mailing_model_id: partnerModel, mailing_domain: "[('country_id.code', '=', 'BE')]" }]);
    await t.call('mailing.filter', 'create', [{ name: 'Other', mailing_model_id: partnerModel, mailing_domain: '[]' }]);
    const [saved] = await t.call('mailing.filter', 'read', [[filter], ['mailing_model_name', 'create_uid']]);
    expect(saved.mailing_model_name).to.equal('res.partner');
    expect(saved.create_uid[0]).to.equal(2);
    const id = await t.call('mailing.mailing', 'create', [{ subject: 'Filtered', mailing_type: 'sms', body_plaintext: 'Hi', mailing_model_id: partnerModel, mailing_filter_id: filter }]);
    const read = async () => (await t.call('mailing.mailing', 'read', [[id], ['mailing_filter_id', 'mailing_filter_domain', 'mailing_filter_count', 'mailing_domain']]))[0];
    expect(await read()).to.deep.include({ mailing_filter_id: [filter, 'Belgians'], mailing_filter_domain: "[('country_id.code', '=', 'BE')]", mailing_filter_count: 2, mailing_domain: "[('country_id.code', '=', 'BE')]" });
    await t.call('mailing.mailing', 'write', [[id], { mailing_model_id: contactModel }]);
    const after = await read();
    expect(after).to.deep.include({ mailing_filter_id: false, mailing_filter_domain: false, mailing_filter_count: 0 });
    expect(after.mailing_domain).to.not.include('country_id');
  });

  it('ir.model says which models a mailing may target', async () => {
    const enabled = await t.call('ir.model', 'search_read', [[['is_mailing_enabled', '=', true]], ['model']], { order: 'model' });
    expect(enabled.map((r: any) => r.model)).to.deep.equal(['mailing.contact', 'mailing.list', 'res.partner']);
    const [mailing] = await t.call('ir.model', 'search_read', [[['model', '=', 'mailing.mailing']], ['is_mailing_enabled']]);
    expect(mailing.is_mailing_enabled).to.equal(false);
    const textable = await t.call('ir.model', 'search_read', [[['is_mail_thread_sms', '=', true], ['model', 'in', ['res.partner', 'mailing.list', 'phone.blacklist']]], ['model']], { order: 'model' });
    expect(textable.map((r: any) => r.model)).to.include('res.partner');
  });

  it("a user's time zone and language are the partner's, chosen among Odoo's time zones", async () => {
    const uid = await t.call('res.users', 'create', [{ name: 'Tz User', login: 'tz-user', tz: 'America/Sao_Paulo', city: 'Recife' }]);
    const [u] = await t.call('res.users', 'read', [[uid], ['tz', 'lang', 'city', 'partner_id']]);
    expect(u).to.deep.include({ tz: 'America/Sao_Paulo', lang: 'en_US', city: 'Recife' });
    const [p] = await t.call('res.partner', 'read', [[u.partner_id[0]], ['tz', 'city']]);
    expect(p).to.deep.include({ tz: 'America/Sao_Paulo', city: 'Recife' });
    expect(await t.call('res.users', 'context_get', [], {}, uid)).to.deep.equal({ lang: 'en_US', tz: 'America/Sao_Paulo', uid });
    const fields = await t.call('res.users', 'fields_get', [['tz']], { attributes: ['type', 'selection'] });
    expect(fields.tz.type).to.equal('selection');
    expect(fields.tz.selection).to.deep.include(['Asia/Calcutta', 'Asia/Calcutta']);
    expect((await t.call('res.users', 'search', [[['tz', '=', 'America/Sao_Paulo']]]))).to.deep.equal([uid]);
  });

  it('an SMS may point to the chatter message it was sent for', async () => {
    const [sms] = await t.call('sms.sms', 'create', [[{ number: '+32470000001', body: 'Hi' }]]);
    const [r] = await t.call('sms.sms', 'read', [[sms], ['mail_message_id']]);
    expect(r.mail_message_id).to.equal(false);
  });
});
