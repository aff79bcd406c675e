// Views over RPC: get_views / get_view in Odoo 19's shape, inheritance, the start-time check of
// every view, window actions and the SMS Marketing menu.

import { expect } from 'chai';
import { testRegistry, type TestRegistry } from '../helpers/registry.ts';
import { readCapture } from '../helpers/odoo19.ts';
import { parseArch, applyInheritance, serializeArch, descendants } from '../../models/tools/view_arch.ts';
import { loadViewData } from '../../models/base/view_data.ts';

/** The JSON answer of a capture (the body after "--- response ---" and its headers). */
function captureResult(name: string): any {
  const text = readCapture(name);
  const resp = text.slice(text.indexOf('--- response ---'));
  return JSON.parse(resp.slice(resp.indexOf('\n{'))).result;
}

function fieldNames(arch: string): string[] {
  return descendants(parseArch(arch)).filter((n) => n.tagName === 'field').map((n) => n.getAttribute('name')!);
}

describe('views: get_views, inheritance, actions and menus', () => {
  let t: TestRegistry;
  before(async () => {
    t = await testRegistry();
  });
  after(async () => t.close());

  it('get_views on mailing.mailing answers in the shape Odoo 19 does, every arch field listed under models', async () => {
    const odoo = captureResult('r2-get-views-mailing-mailing-toolbar-filters.txt');
    const res = await t.call('mailing.mailing', 'get_views', [[[false, 'form'], [false, 'list'], [false, 'search']]], { options: { toolbar: true, load_filters: true } });
    expect(Object.keys(res)).to.deep.equal(Object.keys(odoo));
    for (const type of ['form', 'list', 'search']) {
      expect(Object.keys(res.views[type]), type).to.deep.equal(Object.keys(odoo.views[type]));
      expect(res.views[type].model).to.equal('mailing.mailing');
      expect(res.views[type].id).to.be.a('number');
      expect(res.views[type].toolbar).to.deep.equal({});
      expect(parseArch(res.views[type].arch).tagName).to.equal(type);
    }
    expect(res.views.search.filters).to.deep.equal([]);
    expect(Object.keys(res.models)).to.deep.equal(['mailing.mailing']);
    expect(Object.keys(res.models['mailing.mailing'])).to.deep.equal(Object.keys(odoo.models['mailing.mailing']));
    const fields = res.models['mailing.mailing'].fields;
    const named = new Set(['form', 'list', 'search'].flatMap((type) => fieldNames(res.views[type].arch)));
    // the form's inline sub-views are of other models; the top-level fields are all described
    for (const name of named) if (!['contact_id', 'opt_out', 'opt_out_datetime'].includes(name)) expect(fields, name).to.have.property(name);
    // each field description has the keys Odoo gives for it
    for (const name of ['source_id', 'state', 'sent', 'ab_testing_pc']) {
      const ours = fields[name];
      const theirs = odoo.models['mailing.mailing'].fields[name];
      expect(Object.keys(ours).sort(), name).to.deep.equal(Object.keys(theirs).sort());
      for (const key of ['type', 'string', 'relation', 'required', 'store', 'name']) expect(ours[key], `${name}.${key}`).to.deep.equal(theirs[key]);
    }
    // without options: no toolbar, no filters
    const plain = await t.call('mailing.mailing', 'get_views', [[[false, 'search']]]);
    expect(Object.keys(plain.views.search)).to.deep.equal(['arch', 'id', 'model']);
  });

  it('an SMS view inherits the mailing form as its xpaths say', async () => {
    const viewId = await t.env(async (env) => (await env.model('ir.model.data').call<[string, number]>('_xmlid_lookup', 'mass_mailing_sms.mailing_mailing_view_form_sms'))[1]);
    const res = await t.call('mailing.mailing', 'get_views', [[[viewId, 'form']]]);
    const arch = res.views.form.arch as string;
    const names = fieldNames(arch);
    expect(names).to.include.members(['sms_subject', 'body_plaintext', 'sms_allow_unsubscribe', 'delivered']);
    expect(names).to.not.include('subject'); // replaced
    expect(names).to.not.include('body_html'); // replaced
    expect(names).to.not.include('email_from'); // the sender group is removed
    // after use_exclusion_list, in order
    expect(names.indexOf('sms_allow_unsubscribe')).to.equal(names.indexOf('use_exclusion_list') + 1);
    // attributes: the email winner selection hidden
    const winner = descendants(parseArch(arch)).find((n) => n.getAttribute('name') === 'ab_testing_winner_selection')!;
    expect(winner.getAttribute('invisible')).to.equal('1');
    expect(res.models['mailing.mailing'].fields).to.have.property('sms_subject');
    // the same view through the action's context (form_view_ref)
    const byRef = await t.call('mailing.mailing', 'get_views', [[[false, 'form']]], { context: { form_view_ref: 'mass_mailing_sms.mailing_mailing_view_form_sms' } });
    expect(byRef.views.form.id).to.equal(viewId);
    // an extension (mode extension) changes the default view itself
    const traces = await t.call('mailing.trace', 'get_views', [[[false, 'list'], [false, 'graph'], [false, 'pivot']]]);
    expect(fieldNames(traces.views.list.arch)).to.include('sms_number');
    expect(parseArch(traces.views.graph.arch).tagName).to.equal('graph');
    expect(traces.models['mailing.trace'].fields).to.have.keys('sent_datetime', 'trace_status', 'mass_mailing_id', 'model', 'res_id', 'failure_type', 'sms_number', 'sms_code');
  });

  it('get_view gives one view with the field names per model', async () => {
    const res = await t.call('sms.sms', 'get_view', [], { view_type: 'pivot' });
    expect(res.model).to.equal('sms.sms');
    expect(parseArch(res.arch).tagName).to.equal('pivot');
    expect(res.models['sms.sms']).to.have.members(['create_date', 'state']);
  });

  it('a model without a view of a type gets Odoo-like default views', async () => {
    const res = await t.call('utm.medium', 'get_views', [[[false, 'list'], [false, 'search'], [false, 'form']]]);
    expect(res.views.list.id).to.equal(false);
    expect(fieldNames(res.views.list.arch)).to.deep.equal(['name']);
    expect(fieldNames(res.views.form.arch)).to.include('name');
  });

  it('hides nodes of groups the user is not in', async () => {
    // a mailing user without the campaign group does not see the campaign field; one with it does
    const [mia, cam] = await t.env(async (env) => {
      const ref = async (x: string) => (await env.model('ir.model.data').call<[string, number]>('_xmlid_lookup', x))[1];
      const groups = [await ref('base.group_user'), await ref('mass_mailing.group_mass_mailing_user')];
      const users = env.model('res.users');
      return [
        (await users.create({ name: 'Mia', login: 'mia.views', group_ids: [[6, 0, groups]] })).ids[0],
        (await users.create({ name: 'Cam', login: 'cam.views', group_ids: [[6, 0, [...groups, await ref('mass_mailing.group_mass_mailing_campaign')]]] })).ids[0],
      ];
    });
    const asCam = await t.call('mailing.mailing', 'get_views', [[[false, 'search']]], {}, cam);
    const asMia = await t.call('mailing.mailing', 'get_views', [[[false, 'search']]], {}, mia);
    expect(fieldNames(asCam.views.search.arch)).to.include('campaign_id');
    expect(fieldNames(asMia.views.search.arch)).to.not.include('campaign_id');
    expect(asMia.views.search.arch).to.not.include('groups=');
  });

  it('refuses a view naming an unknown field, or an xpath that locates nothing', async () => {
    let err: any;
    try {
      await t.call('ir.ui.view', 'create', [{ name: 'bad', model: 'mailing.list', arch: '<list><field name="no_such_field"/></list>' }]);
    } catch (e) {
      err = e;
    }
    expect(err?.message).to.match(/Field "no_such_field" does not exist in model "mailing.list"/);
    err = undefined;
    const parent = await t.env(async (env) => (await env.model('ir.model.data').call<[string, number]>('_xmlid_lookup', 'mass_mailing.mailing_list_view_list'))[1]);
    try {
      await t.call('ir.ui.view', 'create', [{ name: 'bad2', model: 'mailing.list', inherit_id: parent, mode: 'extension', arch: '<xpath expr="//field[@name=\'nope\']" position="after"><field name="name"/></xpath>' }]);
    } catch (e) {
      err = e;
    }
    expect(err?.message).to.match(/cannot be located in parent view/);
  });

  it('a shipped view naming an unknown field fails the start with a clear message', async () => {
    await t.env(async (env) => {
      const id = (await env.model('ir.model.data').call<[string, number]>('_xmlid_lookup', 'mass_mailing.mailing_list_view_search'))[1];
      // simulate a broken arch in the database, bypassing the write-time check
      await env.cr.execute(`UPDATE ir_ui_view SET arch_db = '<search><field name="nonexistent"/></search>' WHERE id = ${id}`);
      await env.cr.execute(`UPDATE ir_model_data SET name = 'mailing_list_view_search_old' WHERE module = 'mass_mailing' AND name = 'mailing_list_view_search'`);
      let err: any;
      try {
        await loadViewData(env);
      } catch (e) {
        err = e;
      }
      expect(err?.message).to.match(/Invalid view mass_mailing.mailing_list_view_search_old/);
      expect(err?.message).to.match(/Field "nonexistent" does not exist in model "mailing.list"/);
      throw new Error('rollback');
    }).catch((e) => {
      if (e.message !== 'rollback') throw e;
    });
  });

  it('window actions and the SMS Marketing menu', async () => {
    const actionId = await t.env(async (env) => (await env.model('ir.model.data').call<[string, number]>('_xmlid_lookup', 'mass_mailing_sms.mailing_mailing_action_sms'))[1]);
    const [action] = await t.call('ir.actions.act_window', 'read', [[actionId]], { fields: ['name', 'type', 'res_model', 'views', 'view_mode', 'domain', 'context', 'xml_id', 'target'] });
    expect(action).to.include({ name: 'SMS Marketing', type: 'ir.actions.act_window', res_model: 'mailing.mailing', view_mode: 'list,form', xml_id: 'mass_mailing_sms.mailing_mailing_action_sms', target: 'current' });
    expect(action.views[0][1]).to.equal('list');
    expect(action.views[0][0]).to.be.a('number');
    expect(action.views[1]).to.deep.equal([false, 'form']);
    const menus = await t.call('ir.ui.menu', 'search_read', [[['complete_name', '=like', 'SMS Marketing%']]], { fields: ['name', 'complete_name', 'action'] }).catch(async () =>
      t.call('ir.ui.menu', 'search_read', [[]], { fields: ['name', 'complete_name', 'action'] }));
    const names = menus.map((m: any) => m.complete_name);
    expect(names).to.include.members(['SMS Marketing', 'SMS Marketing/Mailings', 'SMS Marketing/Reporting/SMS Traces', 'SMS Marketing/Configuration/SMS Templates']);
    const mailings = menus.find((m: any) => m.complete_name === 'SMS Marketing/Mailings');
    expect(mailings.action).to.equal(`ir.actions.act_window,${actionId}`);
  });

  it('a user outside the mailing group does not see the SMS Marketing menu', async () => {
    const uid = await t.env(async (env) => {
      const base = (await env.model('ir.model.data').call<[string, number]>('_xmlid_lookup', 'base.group_user'))[1];
      return (await env.model('res.users').create({ name: 'Eve', login: 'eve.views', group_ids: [[6, 0, [base]]] })).ids[0];
    });
    const names = (await t.call('ir.ui.menu', 'search_read', [[]], { fields: ['name'] }, uid)).map((m: any) => m.name);
    expect(names).to.not.include('SMS Marketing');
    expect(names).to.not.include('SMS Templates');
  });

  it('applies inheritance specs: before, after, inside, replace, attributes', () => {
    const parent = parseArch('<form><group name="g"><field name="a"/><field name="b" string="B"/></group></form>');
    const spec = parseArch(`<data>
      <field name="a" position="before"><field name="x"/></field>
      <field name="a" position="after"><field name="y"/></field>
      <group name="g" position="inside"><field name="z"/></group>
      <xpath expr="//field[@name='b']" position="attributes"><attribute name="string">Bee</attribute><attribute name="class" add="c1,c2"/></xpath>
      <xpath expr="//field[@name='y']" position="replace"><field name="w"/></xpath>
    </data>`);
    const out = serializeArch(applyInheritance(parent, spec));
    expect(out).to.equal('<form><group name="g"><field name="x"/><field name="a"/><field name="w"/><field name="b" string="Bee" class="c1,c2"/><field name="z"/></group></form>');
  });
});
