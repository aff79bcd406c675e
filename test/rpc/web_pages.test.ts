// The logged-in HTML pages over HTTP: /web/login shares users, passwords and sessions with
// /web/session/authenticate; report pages and /doc send visitors to it; assets are served locally.

import { expect } from 'chai';
import request from 'supertest';
import { rpcTestApp, ADMIN_PASSWORD, type RpcTestApp } from '../helpers/rpc.ts';

function cookieOf(res: request.Response): string {
  const set = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const c = set.find((x) => x.startsWith('session_id='));
  if (!c) throw new Error('no session cookie');
  return c.split(';')[0];
}

function csrfOf(html: string): string {
  return /name="csrf_token" value="([^"]+)"/.exec(html)![1];
}

describe('web pages: /web/login, report pages and /doc over HTTP', () => {
  let t: RpcTestApp;
  let mailing: number;
  before(async () => {
    t = await rpcTestApp();
    mailing = await t.env(async (env) => (await env.model('mailing.mailing').create([{ subject: 'Web', mailing_type: 'sms', body_plaintext: 'x' }])).ids[0]);
  });
  after(async () => t.close());

  it('sends a visitor to the login page, and back after login', async () => {
    for (const path of [`/sms_marketing/mailing/${mailing}`, '/doc', '/doc/mailing.mailing', '/sms_marketing/campaign/1']) {
      const res = await request(t.app).get(path);
      expect(res.status, path).to.equal(303);
      expect(res.headers.location).to.equal(`/web/login?redirect=${encodeURIComponent(path)}`);
    }
    const form = await request(t.app).get(`/web/login?redirect=/sms_marketing/mailing/${mailing}`);
    expect(form.status).to.equal(200);
    const visitor = cookieOf(form);
    const login = await request(t.app).post('/web/login').set('Cookie', visitor).type('form')
      .send({ csrf_token: csrfOf(form.text), login: 'admin', password: ADMIN_PASSWORD, redirect: `/sms_marketing/mailing/${mailing}` });
    expect(login.status).to.equal(303);
    expect(login.headers.location).to.equal(`/sms_marketing/mailing/${mailing}`);
    const session = cookieOf(login);
    const page = await request(t.app).get(`/sms_marketing/mailing/${mailing}`).set('Cookie', session);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('<h1>Web</h1>');
    // the same session answers the JSON-RPC session routes
    const info = await request(t.app).post('/web/session/get_session_info').set('Cookie', session).send({ jsonrpc: '2.0', method: 'call', params: {}, id: 1 });
    expect(info.body.result.uid).to.equal(2);
  });

  it('refuses a wrong password with Odoo\'s message, and a form without its CSRF token', async () => {
    const form = await request(t.app).get('/web/login');
    const bad = await request(t.app).post('/web/login').set('Cookie', cookieOf(form)).type('form').send({ csrf_token: csrfOf(form.text), login: 'admin', password: 'nope' });
    expect(bad.status).to.equal(200);
    expect(bad.text).to.contain('Wrong login/password');
    const noToken = await request(t.app).post('/web/login').set('Cookie', cookieOf(form)).type('form').send({ login: 'admin', password: ADMIN_PASSWORD });
    expect(noToken.status).to.equal(400);
    expect(noToken.text).to.contain('Session expired (invalid CSRF token)');
  });

  it('a session from /web/session/authenticate opens the pages; an unknown mailing is a 404', async () => {
    const auth = await request(t.app).post('/web/session/authenticate').send({ jsonrpc: '2.0', method: 'call', params: { db: t.dbName, login: 'admin', password: ADMIN_PASSWORD }, id: 1 });
    const session = cookieOf(auth);
    const doc = await request(t.app).get('/doc/mailing.mailing').set('Cookie', session);
    expect(doc.status).to.equal(200);
    expect(doc.text).to.contain('/json/2/mailing.mailing/search_read');
    expect(doc.text).to.contain('data-field="body_plaintext"');
    expect((await request(t.app).get('/sms_marketing/mailing/999999').set('Cookie', session)).status).to.equal(404);
    expect((await request(t.app).get('/sms_marketing/mailing/abc').set('Cookie', session)).status).to.equal(404);
    expect((await request(t.app).get('/sms_marketing/campaign/999999').set('Cookie', session)).status).to.equal(404);
  });

  it('serves Chart.js and the page script itself (no CDN)', async () => {
    const chart = await request(t.app).get('/sms_marketing/static/chart.umd.min.js');
    expect(chart.status).to.equal(200);
    expect(chart.headers['content-type']).to.match(/javascript/);
    expect(chart.text.length).to.be.above(100_000);
    const script = await request(t.app).get('/sms_marketing/static/report.js');
    expect(script.status).to.equal(200);
    expect(script.text).to.contain('data-chart');
  });
});
