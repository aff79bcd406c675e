import { expect } from 'chai';
import request from 'supertest';
import { ADMIN_PASSWORD, call, createUser, rpcTestApp, webJson, type RpcTestApp } from '../helpers/rpc.ts';

describe('web routes: /web/version, /web/session/*, /web/dataset/*', () => {
  let t: RpcTestApp;
  before(async () => {
    t = await rpcTestApp();
  });
  after(async () => t.close());

  async function login(loginName = 'admin', password = ADMIN_PASSWORD): Promise<{ cookie: string; body: any; setCookie: string }> {
    const res = await webJson(t.app, '/web/session/authenticate', { db: t.dbName, login: loginName, password });
    const setCookie = String(res.headers['set-cookie']?.[0] ?? '');
    return { cookie: setCookie.split(';')[0]!, body: res.body, setCookie };
  }

  it('GET /web/version and /json/version', async () => {
    for (const path of ['/web/version', '/json/version']) {
      const res = await request(t.app).get(path);
      expect(res.status).to.equal(200);
      expect(res.headers['content-type']).to.equal('application/json; charset=utf-8');
      expect(res.body).to.deep.equal({ version_info: [19, 0, 0, 'final', 0, ''], version: '19.0' });
    }
  });

  it('POST /web/webclient/version_info and /web/database/list', async () => {
    const v = await webJson(t.app, '/web/webclient/version_info', {});
    expect(v.body.result).to.deep.equal({ server_version: '19.0', server_version_info: [19, 0, 0, 'final', 0, ''], server_serie: '19.0', protocol_version: 1 });
    expect((await webJson(t.app, '/web/database/list', {})).body.result).to.deep.equal([t.dbName]);
  });

  it('authenticate sets the session cookie and returns session_info', async () => {
    const { body, setCookie, cookie } = await login();
    expect(setCookie).to.match(/^session_id=[A-Za-z0-9_-]+; Expires=[^;]+ GMT; Max-Age=604800; HttpOnly; Path=\/$/);
    expect(cookie.split('=')).to.have.length(2); // the value has no '='
    const info = body.result;
    expect(info).to.include({ uid: 2, is_system: true, is_admin: true, db: t.dbName, server_version: '19.0', username: 'admin', partner_id: 3 });
    expect(info.server_version_info).to.deep.equal([19, 0, 0, 'final', 0, '']);
    expect(info.user_context).to.deep.equal({ lang: 'en_US', tz: 'Europe/Brussels', uid: 2 });
    expect(info.partner_display_name).to.equal('Administrator');
    expect(info).to.have.property('web.base.url');
    expect(info).to.have.property('name', 'Administrator');
  });

  it('authenticate: wrong password is AccessDenied, unknown db is AccessError, missing params a TypeError', async () => {
    const bad = await webJson(t.app, '/web/session/authenticate', { db: t.dbName, login: 'admin', password: 'nope' });
    expect(bad.headers['set-cookie']).to.equal(undefined);
    expect(bad.body.error.code).to.equal(0);
    expect(bad.body.error.data).to.include({ name: 'odoo.exceptions.AccessDenied', message: 'Access Denied' });
    const db = await webJson(t.app, '/web/session/authenticate', { db: 'nope', login: 'admin', password: ADMIN_PASSWORD });
    expect(db.body.error.data).to.include({ name: 'odoo.exceptions.AccessError', message: 'Database not found.' });
    const missing = await webJson(t.app, '/web/session/authenticate', { db: t.dbName, login: 'admin' });
    expect(missing.body.error.data.name).to.equal('builtins.TypeError');
  });

  it('session routes need a session: code 100 "Odoo Session Expired"', async () => {
    for (const path of ['/web/session/get_session_info', '/web/session/check', '/web/session/modules', '/web/session/destroy', '/web/dataset/call_kw']) {
      const res = await webJson(t.app, path, path.includes('dataset') ? { model: 'res.partner', method: 'search', args: [[]], kwargs: {} } : {}, 'session_id=bogus');
      expect(res.status, path).to.equal(200);
      expect(res.body.error.code, path).to.equal(100);
      expect(res.body.error.message).to.equal('Odoo Session Expired');
      expect(res.body.error.data.name).to.equal('odoo.http.SessionExpiredException');
    }
  });

  it('get_session_info, check, modules and call_kw with the cookie; destroy ends the session', async () => {
    const { cookie } = await login();
    const info = await webJson(t.app, '/web/session/get_session_info', {}, cookie);
    expect(info.body.result.uid).to.equal(2);
    const check = await webJson(t.app, '/web/session/check', {}, cookie);
    expect(check.body).to.deep.equal({ jsonrpc: '2.0', id: 1 });
    expect((await webJson(t.app, '/web/session/modules', {}, cookie)).body.result).to.include('mass_mailing_sms');
    const kw = await webJson(t.app, '/web/dataset/call_kw/res.partner/search_read', { model: 'res.partner', method: 'search_read', args: [[['id', '=', 3]], ['name']], kwargs: { limit: 3 } }, cookie);
    expect(kw.body.result).to.deep.equal([{ id: 3, name: 'Administrator' }]);
    // the session's user context is the base context
    const ctx = await webJson(t.app, '/web/dataset/call_kw', { model: 'res.partner', method: 'default_get', args: [['lang']], kwargs: {} }, cookie);
    expect(ctx.body.result).to.deep.equal({ lang: 'en_US' });
    const destroy = await webJson(t.app, '/web/session/destroy', {}, cookie);
    expect(destroy.body).to.deep.equal({ jsonrpc: '2.0', id: 1 });
    expect((await webJson(t.app, '/web/session/get_session_info', {}, cookie)).body.error.code).to.equal(100);
  });

  it('the X-Openerp-Session-Id header is accepted too', async () => {
    const { cookie } = await login();
    const res = await request(t.app).post('/web/session/get_session_info').set('Content-Type', 'application/json')
      .set('X-Openerp-Session-Id', cookie.slice('session_id='.length)).send('{"jsonrpc":"2.0","method":"call","params":{},"id":1}');
    expect(res.body.result.uid).to.equal(2);
  });

  it('call_kw: unknown model is a 404 error, private methods AccessError', async () => {
    const { cookie } = await login();
    const model = await webJson(t.app, '/web/dataset/call_kw', { model: 'no.model', method: 'search', args: [[]], kwargs: {} }, cookie);
    expect(model.body.error.code).to.equal(404);
    expect(model.body.error.message).to.equal('404: Not Found');
    const priv = await webJson(t.app, '/web/dataset/call_kw', { model: 'res.partner', method: '_private', args: [[1]], kwargs: {} }, cookie);
    expect(priv.body.error.data.name).to.equal('odoo.exceptions.AccessError');
  });

  it('call_button: a non-action result becomes false, and the write is done', async () => {
    const { cookie } = await login();
    const res = await webJson(t.app, '/web/dataset/call_button', { model: 'res.partner', method: 'write', args: [[3], { function: 'Boss' }], kwargs: {} }, cookie);
    expect(res.body.result).to.equal(false);
    const [rec] = await call(t, 'res.partner', 'read', [[3], ['function']]);
    expect(rec.function).to.equal('Boss');
  });

  it('a deactivated user loses their session', async () => {
    const uid = await createUser(t, 'leaver', 'leaver-pw');
    const { cookie, body } = await login('leaver', 'leaver-pw');
    expect(body.result.uid).to.equal(uid);
    await call(t, 'res.users', 'write', [[uid], { active: false }]);
    const res = await webJson(t.app, '/web/session/get_session_info', {}, cookie);
    expect(res.body.error.code).to.equal(100);
  });

  it('wrong content type on a jsonrpc route: 415; unknown route: 404 page', async () => {
    const res = await request(t.app).post('/web/session/authenticate').set('Content-Type', 'text/plain').send('{}');
    expect(res.status).to.equal(415);
    expect(res.headers.accept).to.equal('application/json, application/json-rpc');
    const nf = await request(t.app).get('/nope');
    expect(nf.status).to.equal(404);
    expect(nf.text).to.match(/<title>404 Not Found<\/title>/);
  });
});
