// sms.template: SMS-capable models only, placeholders checked when saved, copies, the preview
// wizard rendering a chosen record, and the reset wizard.

import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';

describe('sms.template: models, placeholders, copy, preview and reset', () => {
  let t: TestRegistry;
  let contactModel: number;
  let template: number;

  const failure = async (fn: () => Promise<unknown>): Promise<string> => {
    try {
      await fn();
    } catch (err) {
      return (err as Error).message;
    }
    return '';
  };

  before(async () => {
    t = await testRegistry();
    [contactModel] = await t.call('ir.model', 'search', [[['model', '=', 'mailing.contact']]]);
    template = await t.call('sms.template', 'create', [{ name: 'Welcome', model_id: contactModel, body: 'Hi {{ object.name }}, lists: {{ object.list_ids ||| none }}', lang: '{{ object.country_id.code }}' }]);
  });
  after(async () => t.close());

  it('applies only to models whose records have a phone number', async () => {
    const [countryModel] = await t.call('ir.model', 'search', [[['model', '=', 'res.country']]]);
    expect(await failure(() => t.call('sms.template', 'create', [{ name: 'Bad', model_id: countryModel, body: 'x' }])))
      .to.equal('SMS templates can only apply to models whose records have a phone number (not Country (res.country)).');
    const [{ model, render_model }] = await t.call('sms.template', 'read', [[template], ['model', 'render_model']]);
    expect([model, render_model]).to.deep.equal(['mailing.contact', 'mailing.contact']);
  });

  it('refuses unknown field paths and code when saved', async () => {
    expect(await failure(() => t.call('sms.template', 'create', [{ name: 'Typo', model_id: contactModel, body: 'Hi {{ object.nmae }}' }])))
      .to.equal('The SMS template uses "{{ object.nmae }}" but "nmae" is not a field of Mailing Contact (mailing.contact).');
    expect(await failure(() => t.call('sms.template', 'write', [[template], { body: "{{ object.name.__class__ }}" }])))
      .to.match(/^Invalid inline template expression/);
    expect(await failure(() => t.call('sms.template', 'write', [[template], { body: "{{ env['res.users'] }}" }])))
      .to.match(/^Invalid inline template expression/);
  });

  it('copies with " (copy)"', async () => {
    const [copy] = await t.call('sms.template', 'copy', [[template]]);
    const [{ name, body }] = await t.call('sms.template', 'read', [[copy], ['name', 'body']]);
    expect([name, body]).to.deep.equal(['Welcome (copy)', 'Hi {{ object.name }}, lists: {{ object.list_ids ||| none }}']);
  });

  it('previews the template on a chosen record (the first one by default)', async () => {
    const list = await t.call('mailing.list', 'create', [{ name: 'VIP' }]);
    const first = await t.call('mailing.contact', 'create', [{ name: 'Zoe', list_ids: [[6, 0, [list]]] }]);
    const second = await t.call('mailing.contact', 'create', [{ name: 'Yann' }]);
    const defaults = await t.call('sms.template.preview', 'default_get', [['resource_ref', 'sms_template_id']], { context: { default_sms_template_id: template } });
    expect(defaults.sms_template_id).to.equal(template);
    expect(defaults.resource_ref).to.match(/^mailing\.contact,\d+$/);
    const preview = await t.call('sms.template.preview', 'create', [{ sms_template_id: template, resource_ref: `mailing.contact,${first}` }]);
    const [p] = await t.call('sms.template.preview', 'read', [[preview], ['body', 'no_record', 'model_id']]);
    expect(p.body).to.equal('Hi Zoe, lists: VIP (1)');
    expect(p.no_record).to.equal(false);
    expect(p.model_id[0]).to.equal(contactModel);
    await t.call('sms.template.preview', 'write', [[preview], { resource_ref: `mailing.contact,${second}` }]);
    const [{ body }] = await t.call('sms.template.preview', 'read', [[preview], ['body']]);
    // Odoo keeps the text up to the braces, the space included.
    expect(body).to.equal('Hi Yann, lists: none ');
  });

  it('creates and removes its "Send SMS" sidebar action; deleting the template removes it', async () => {
    const tpl = await t.call('sms.template', 'create', [{ name: 'Promo', model_id: contactModel, body: 'Promo!' }]);
    expect(await t.call('sms.template', 'action_create_sidebar_action', [[tpl]])).to.equal(true);
    const [{ sidebar_action_id }] = await t.call('sms.template', 'read', [[tpl], ['sidebar_action_id']]);
    const [action] = await t.call('ir.actions.act_window', 'read', [[sidebar_action_id[0]], ['name', 'res_model', 'binding_model_id', 'target', 'view_mode', 'context']]);
    expect(action).to.deep.include({ name: 'Send SMS (Promo)', res_model: 'sms.composer', target: 'new', view_mode: 'form' });
    expect(action.binding_model_id[0]).to.equal(contactModel);
    expect(action.context).to.equal(`{'default_template_id' : ${tpl}, 'sms_composition_mode': 'guess', 'default_res_ids': active_ids, 'default_res_id': active_id}`);
    const [copy] = await t.call('sms.template', 'copy', [[tpl]]);
    expect((await t.call('sms.template', 'read', [[copy], ['sidebar_action_id']]))[0].sidebar_action_id).to.equal(false);
    await t.call('sms.template', 'action_unlink_sidebar_action', [[tpl]]);
    expect(await t.call('ir.actions.act_window', 'search_count', [[['id', '=', sidebar_action_id[0]]]])).to.equal(0);
    await t.call('sms.template', 'action_create_sidebar_action', [[tpl]]);
    const [{ sidebar_action_id: again }] = await t.call('sms.template', 'read', [[tpl], ['sidebar_action_id']]);
    await t.call('sms.template', 'unlink', [[tpl]]);
    expect(await t.call('ir.actions.act_window', 'search_count', [[['id', '=', again[0]]]])).to.equal(0);
  });

  it('resets nothing without a source file, and says which templates have none', async () => {
    const wizard = await t.call('sms.template.reset', 'create', [{ template_ids: [[6, 0, [template]]] }]);
    const res = await t.call('sms.template.reset', 'reset_template', [[wizard]]);
    expect(res).to.deep.equal({ type: 'ir.actions.client', tag: 'display_notification', params: { type: 'success', message: 'SMS Templates have been reset', next: { type: 'ir.actions.act_window_close' } } });
    await t.call('sms.template', 'write', [[template], { template_fs: 'sms/data/sms_template_data.xml' }]);
    expect(await failure(() => t.call('sms.template.reset', 'reset_template', [[wizard]])))
      .to.equal('The following email templates could not be reset because their related source files could not be found:\n- Welcome');
  });
});
