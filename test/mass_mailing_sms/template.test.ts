// sms.template: model-specific bodies, checked placeholders, used by mailings.

import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { modelId, smsOf } from '../helpers/mass_mailing_sms.ts';

describe('sms.template', () => {
  let t: TestRegistry;
  before(async () => {
    t = await testRegistry();
  });
  after(async () => t.close());

  it('stores the model of model_id and refuses unknown placeholders', async () => {
    const partner = await modelId(t, 'res.partner');
    const id = await t.call('sms.template', 'create', [{ name: 'Welcome', model_id: partner, body: 'Welcome {{ object.name }}' }]);
    expect((await t.call('sms.template', 'read', [[id], ['model', 'render_model', 'display_name']]))[0]).to.include({ model: 'res.partner', render_model: 'res.partner', display_name: 'Welcome' });
    let err: any;
    try {
      await t.call('sms.template', 'create', [{ name: 'Bad', model_id: partner, body: 'Hi {{ object.mobile_phone }}' }]);
    } catch (e) {
      err = e;
    }
    expect(err?.odooName).to.equal('odoo.exceptions.UserError');
    const [copy] = await t.call('sms.template', 'copy', [[id]]);
    expect((await t.call('sms.template', 'read', [[copy], ['name', 'body']]))[0]).to.include({ name: 'Welcome (copy)', body: 'Welcome {{ object.name }}' });
  });

  it('an SMS mailing takes its body from its template', async () => {
    const tpl = await t.call('sms.template', 'create', [{ name: 'Promo', model_id: await modelId(t, 'res.partner'), body: 'Promo for {{ object.name }}' }]);
    const [p] = await t.call('res.partner', 'create', [[{ name: 'Tpl', phone: '+32 474 00 00 01' }]]);
    const id = await t.call('mailing.mailing', 'create', [{ subject: 'From template', mailing_type: 'sms', mailing_model_id: await modelId(t, 'res.partner'), mailing_domain: `[('id', '=', ${p})]`, sms_template_id: tpl }]);
    expect((await t.call('mailing.mailing', 'read', [[id], ['body_plaintext']]))[0].body_plaintext).to.equal('Promo for {{ object.name }}');
    await t.call('mailing.mailing', 'action_send_sms', [[id]]);
    expect((await smsOf(t, id))[0].body).to.equal('Promo for Tpl');
  });
});
