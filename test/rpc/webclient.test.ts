// The web client's menus and actions over HTTP: /web/webclient/load_menus (Odoo 19's
// load_web_menus shape, filtered by the user's groups) and /web/action/load (JSON-RPC).

import { expect } from 'chai';
import request from 'supertest';
import { xmlidLookup } from '../../models/base/ir_model_data.ts';
import { ADMIN_PASSWORD, createUser, rpcTestApp, webJson, type RpcTestApp } from '../helpers/rpc.ts';

async function login(t: RpcTestApp, loginName: string, password: string): Promise<string> {
  const auth = await webJson(t.app, '/web/session/authenticate', { db: t.dbName, login: loginName, password });
  expect(auth.body.result, JSON.stringify(auth.body.error)).to.be.an('object');
  return ([] as string[]).concat(auth.headers['set-cookie']).find((c) => c.startsWith('session_id='))!.split(';')[0];
}

async function ref(t: RpcTestApp, xmlid: string): Promise<number> {
  return t.env(async (env) => (await xmlidLookup(env, xmlid))[1]);
}

describe('web client: /web/webclient/load_menus and /web/action/load', () => {
  let t: RpcTestApp;
  let admin: string;
  let plain: string;
  before(async () => {
    t = await rpcTestApp();
    admin = await login(t, 'admin', ADMIN_PASSWORD);
    // an internal user without SMS Marketing rights
    const base = await ref(t, 'base.group_user');
    await createUser(t, 'plain', 'plain-pw-123', { group_ids: [[6, 0, [base]]] });
    plain = await login(t, 'plain', 'plain-pw-123');
  });
  after(async () => t.close());

  it('load_menus answers the user\'s menus in the web client\'s shape', async () => {
    const res = await request(t.app).get('/web/webclient/load_menus').set('Cookie', admin);
    expect(res.status).to.equal(200);
    expect(res.headers['content-type']).to.match(/^application\/json/);
    expect(res.headers['cache-control']).to.equal('no-store');
    const menus = JSON.parse(res.text);
    const [root, mailings, audience, action] = await Promise.all([
      ref(t, 'mass_mailing_sms.mass_mailing_sms_menu_root'), ref(t, 'mass_mailing_sms.mass_mailing_sms_menu_mass_sms'),
      ref(t, 'mass_mailing_sms.mass_mailing_sms_menu_contacts'), ref(t, 'mass_mailing_sms.mailing_mailing_action_sms'),
    ]);
    expect(menus.root).to.deep.equal({
      id: 'root', name: 'root', children: menus.root.children, appID: false, xmlid: '', actionID: false, actionModel: false, actionPath: false,
      webIcon: null, webIconData: null, webIconDataMimetype: null, backgroundImage: null,
    });
    expect(menus.root.children).to.include(root);
    // the application opens the action of its first menu that has one
    expect(menus[root]).to.deep.include({
      id: root, name: 'SMS Marketing', appID: root, xmlid: 'mass_mailing_sms.mass_mailing_sms_menu_root',
      actionID: action, actionModel: 'ir.actions.act_window', webIconData: '/web/static/img/default_icon_app.png', webIconDataMimetype: false,
    });
    expect(menus[root].children.slice(0, 2)).to.deep.equal([mailings, audience]);
    expect(menus[mailings]).to.deep.equal({
      id: mailings, name: 'Mailings', children: [], appID: root, xmlid: 'mass_mailing_sms.mass_mailing_sms_menu_mass_sms',
      actionID: action, actionModel: 'ir.actions.act_window', actionPath: 'sms-marketing', webIcon: false, webIconData: false, webIconDataMimetype: false,
    });
    expect(menus[audience]).to.include({ actionID: false, actionModel: false, appID: root });
    expect(menus[audience].children).to.have.length(2);
  });

  it('load_menus hides what the user\'s groups do not give, and sends a visitor to the login page', async () => {
    const menus = JSON.parse((await request(t.app).get('/web/webclient/load_menus').set('Cookie', plain)).text);
    const root = await ref(t, 'mass_mailing_sms.mass_mailing_sms_menu_root');
    expect(menus.root).to.be.an('object');
    expect(menus[root]).to.equal(undefined);
    expect(Object.values(menus).map((m: any) => m.xmlid)).to.not.include('mass_mailing_sms.mass_mailing_sms_menu_mass_sms');
    const visitor = await request(t.app).get('/web/webclient/load_menus');
    expect(visitor.status).to.equal(303);
    expect(visitor.headers.location).to.equal(`/web/login?redirect=${encodeURIComponent('/web/webclient/load_menus')}`);
  });

  it('action/load answers a window action by id, external id or path, as Odoo 19', async () => {
    const id = await ref(t, 'mass_mailing_sms.mailing_mailing_action_sms');
    const byId = await webJson(t.app, '/web/action/load', { action_id: id, context: { lang: 'en_US' } }, admin);
    const action = byId.body.result;
    expect(action).to.include({ id, type: 'ir.actions.act_window', name: 'SMS Marketing', res_model: 'mailing.mailing', view_mode: 'list,form', target: 'current', xml_id: 'mass_mailing_sms.mailing_mailing_action_sms' });
    expect(action.embedded_action_ids).to.deep.equal([]);
    expect(action.views.map((v: [unknown, string]) => v[1])).to.deep.equal(['list', 'form']);
    // only the fields the web client may read
    expect(Object.keys(action)).to.not.include.members(['create_uid', 'write_date', 'usage', 'view_ids']);
    const byXmlid = await webJson(t.app, '/web/action/load', { action_id: 'mass_mailing_sms.mailing_mailing_action_sms' }, admin);
    expect(byXmlid.body.result).to.deep.equal(action);
    expect((await webJson(t.app, '/web/action/load', { action_id: 'sms-marketing' }, admin)).body.result.id).to.equal(id);
    expect((await webJson(t.app, '/web/action/load', { action_id: String(id) }, admin)).body.result.id).to.equal(id);
  });

  it('action/load refuses unknown actions with MissingActionError, and needs a session', async () => {
    for (const [actionId, message] of [['nope.nothing', 'The action “nope.nothing” does not exist.'], ['base.group_user', 'The action “base.group_user” does not exist.'], ['no-such-path', 'The action “no-such-path” does not exist.'], [999999, 'The action “999999” does not exist']] as const) {
      const res = await webJson(t.app, '/web/action/load', { action_id: actionId }, admin);
      expect(res.body.error.data.name, String(actionId)).to.equal('odoo.addons.web.controllers.action.MissingActionError');
      expect(res.body.error.data.message).to.equal(message);
    }
    const missing = await webJson(t.app, '/web/action/load', {}, admin);
    expect(missing.body.error.data.message).to.equal("load() missing 1 required positional argument: 'action_id'");
    const anonymous = await webJson(t.app, '/web/action/load', { action_id: 1 });
    expect(anonymous.body.error.code).to.equal(100);
    expect(anonymous.body.error.data.name).to.equal('odoo.http.SessionExpiredException');
  });
});
